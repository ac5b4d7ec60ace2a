/** ARM Batch accounts: get, list by subscription or resource group, and PATCH. */
import { missingParent, resourceNotFound } from "./armErrors";
import { armListReply } from "./armPaging";
import { batchAccountBody } from "./batchAccountBody";
import { jsonBody, type RequestContext, type Route } from "./context";
import { keyReferenceProblem } from "./keyReference";
import { errorReply, ok, type Reply } from "./replies";
import type { AccountState } from "./state";

const accountType = "Microsoft.Batch/batchAccounts";

/** Recognises a Batch account request from its lower-case path segments. */
export function routeBatch(context: RequestContext): Route | undefined {
  const [root, subscriptionId = "", third, resourceGroup = "", ...rest] = context.segments;
  const lower = context.lower;
  if (root?.toLowerCase() !== "subscriptions") return undefined;

  if (
    third?.toLowerCase() === "providers" &&
    matches(lower.slice(3), ["microsoft.batch", "batchaccounts"])
  ) {
    if (context.method !== "GET") return undefined;
    return { operation: "batch.list", handle: () => listBySubscription(context, subscriptionId) };
  }
  if (third?.toLowerCase() !== "resourcegroups") return undefined;
  const tail = rest.map((s) => s.toLowerCase());
  if (!matches(tail.slice(0, 3), ["providers", "microsoft.batch", "batchaccounts"]))
    return undefined;
  if (tail.length === 3 && context.method === "GET") {
    return {
      operation: "batch.listByResourceGroup",
      handle: () => listByResourceGroup(context, subscriptionId, resourceGroup),
    };
  }
  const name = rest[3];
  if (tail.length !== 4 || name === undefined) return undefined;
  const id = `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/${accountType}/${name}`;
  if (context.method === "GET") {
    return {
      operation: "batch.get",
      handle: () => withAccount(context, id, (a) => reply(context, a)),
    };
  }
  if (context.method === "PATCH") {
    return {
      operation: "batch.update",
      handle: () => withAccount(context, id, (a) => update(context, a)),
    };
  }
  return undefined;
}

function matches(actual: readonly string[], expected: readonly string[]): boolean {
  return actual.length === expected.length && expected.every((part, i) => actual[i] === part);
}

function listBySubscription(context: RequestContext, subscriptionId: string): Reply {
  const missing = missingParent(context.state, subscriptionId);
  if (missing !== undefined) return missing;
  const accounts = context.state.accountsBySubscription.get(subscriptionId.toLowerCase()) ?? [];
  return armListReply(context, accounts, (a) => batchAccountBody(a, context.state.scenario.cloud));
}

function listByResourceGroup(
  context: RequestContext,
  subscriptionId: string,
  group: string,
): Reply {
  const missing = missingParent(context.state, subscriptionId, group);
  if (missing !== undefined) return missing;
  const key = `${subscriptionId}/${group}`.toLowerCase();
  const accounts = context.state.accountsByResourceGroup.get(key) ?? [];
  return armListReply(context, accounts, (a) => batchAccountBody(a, context.state.scenario.cloud));
}

function withAccount(
  context: RequestContext,
  id: string,
  then: (account: AccountState) => Reply,
): Reply {
  const account = context.state.accountsById.get(id.toLowerCase());
  if (account !== undefined) return then(account);
  const [, subscriptionId = "", , resourceGroup = "", , , , name = ""] = id.split("/").slice(1);
  return (
    missingParent(context.state, subscriptionId, resourceGroup) ??
    resourceNotFound(accountType, name, resourceGroup)
  );
}

function reply(context: RequestContext, account: AccountState): Reply {
  return ok(batchAccountBody(account, context.state.scenario.cloud), {
    ETag: account.etag,
    "Last-Modified": account.lastModified.toUTCString(),
  });
}

/**
 * PATCH answers synchronously with the whole account, as recorded. Only `tags` and
 * `properties.encryption` are applied; that is all the product changes.
 */
function update(context: RequestContext, account: AccountState): Reply {
  const ifMatch = context.request.headers.get("If-Match");
  if (ifMatch !== undefined && ifMatch !== "*" && ifMatch !== account.etag) {
    return errorReply(412, "PreconditionFailed", "The specified precondition 'If-Match' failed.");
  }
  const body = jsonBody(context.request);
  if (typeof body !== "object" || body === null) {
    return errorReply(
      400,
      "InvalidRequestContent",
      "The request content was invalid and could not be deserialized.",
    );
  }
  const { tags, properties } = body as { tags?: unknown; properties?: { encryption?: unknown } };
  const encryption = properties?.encryption;
  if (encryption !== undefined) {
    const refused = applyEncryption(context, account, encryption);
    if (refused !== undefined) return refused;
  }
  if (typeof tags === "object" && tags !== null) {
    account.tags = Object.fromEntries(Object.entries(tags).map(([k, v]) => [k, String(v)]));
  }
  context.state.touch(account);
  return reply(context, account);
}

function applyEncryption(
  context: RequestContext,
  account: AccountState,
  raw: unknown,
): Reply | undefined {
  const encryption = (raw ?? {}) as {
    keySource?: unknown;
    keyVaultProperties?: { keyIdentifier?: unknown };
  };
  if (encryption.keySource === "Microsoft.Batch") {
    account.keySource = "Microsoft.Batch";
    account.keyIdentifier = undefined;
    return undefined;
  }
  if (encryption.keySource !== "Microsoft.KeyVault") {
    return missingProperty("keySource", "properties.encryption.keySource");
  }
  const keyIdentifier = encryption.keyVaultProperties?.keyIdentifier;
  if (typeof keyIdentifier !== "string" || keyIdentifier === "") {
    return missingProperty("keyVaultProperties", "properties.encryption.keyVaultProperties");
  }
  const problem = keyReferenceProblem(context.state, account, keyIdentifier);
  if (problem !== undefined) {
    // NOTE: Batch refuses an unusable vault reference with code InvalidKeyVaultReference and the
    // reason as a detail (seen in Azure/azure-cli#18208); the exact reason texts are ours.
    return errorReply(
      400,
      "InvalidKeyVaultReference",
      "The specified Key Vault reference is invalid.",
      {
        target: "BatchAccount",
        details: [{ code: "Reason", message: problem }],
      },
    );
  }
  account.keySource = "Microsoft.KeyVault";
  account.keyIdentifier = keyIdentifier;
  return undefined;
}

/** Batch's answer to an incomplete encryption block (seen in Azure/azure-cli#24007). */
function missingProperty(name: string, path: string): Reply {
  return errorReply(
    400,
    "MissingRequiredProperty",
    "A required property was not specified in the request body.",
    {
      target: "BatchAccount",
      details: [
        { code: "PropertyName", message: name },
        { code: "PropertyPath", message: path },
      ],
    },
  );
}
