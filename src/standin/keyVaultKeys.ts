/**
 * Key Vault's key operations (data plane): get a key or one version, list versions (paged),
 * rotate, read the rotation policy, and get a soft-deleted key. Shapes follow the 7.5 examples and
 * the recorded exchanges; times are epoch seconds.
 */
import type { RequestContext, Route } from "./context";
import { decodeSkipToken, encodeSkipToken, pageOf } from "./paging";
import { errorReply, ok, type Reply } from "./replies";
import type { AzureState, KeyState, KeyVersionState, VaultState } from "./state";

const versionPattern = /^[0-9a-f]{32}$/i;

export function routeKeys(context: RequestContext, vault: VaultState): Route | undefined {
  const [collection, name, third, ...rest] = context.lower;
  const keyName = context.segments[1];
  if (name === undefined || keyName === undefined || rest.length > 0) return undefined;
  const { method } = context;

  if (collection === "deletedkeys" && third === undefined && method === "GET") {
    return { operation: "keys.getDeleted", handle: () => getDeleted(context, vault, keyName) };
  }
  if (collection !== "keys") return undefined;
  if (method === "POST" && third === "rotate") {
    return {
      operation: "keys.rotate",
      handle: () => withKey(vault, keyName, (k) => rotate(context, vault, k)),
    };
  }
  if (method !== "GET") return undefined;
  if (third === "versions") {
    return {
      operation: "keys.versions",
      handle: () => withKey(vault, keyName, (k) => versions(context, vault, k)),
    };
  }
  if (third === "rotationpolicy") {
    return {
      operation: "keys.rotationPolicy",
      handle: () => withKey(vault, keyName, (k) => policy(context, vault, k)),
    };
  }
  return { operation: "keys.get", handle: () => getKey(context, vault, keyName, third) };
}

/** The recorded 404 for a key that does not exist (or only as a deleted key). */
function keyNotFound(nameOrId: string): Reply {
  return errorReply(
    404,
    "KeyNotFound",
    `A key with (name/id) ${nameOrId} was not found in this key vault. If you recently deleted ` +
      "this key you may be able to recover it using the correct recovery command. For help " +
      "resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182",
  );
}

function withKey(vault: VaultState, name: string, then: (key: KeyState) => Reply): Reply {
  const key = vault.keys.get(name.toLowerCase());
  return key === undefined ? keyNotFound(name) : then(key);
}

function getKey(
  context: RequestContext,
  vault: VaultState,
  name: string,
  wanted: string | undefined,
): Reply {
  const key = vault.keys.get(name.toLowerCase());
  if (key === undefined) return keyNotFound(name);
  if (wanted !== undefined && !versionPattern.test(wanted)) return keyNotFound(`${name}/${wanted}`);
  const version = wanted === undefined ? key.ordered.at(-1) : key.versions.get(wanted);
  if (version === undefined) return keyNotFound(`${name}/${wanted ?? ""}`);
  if (!version.enabled && context.options.disabledKeyGet === "forbidden") {
    // NOTE: unconfirmed for keys; this is Key Vault's answer for a disabled secret, adapted.
    return errorReply(403, "Forbidden", "Operation get is not allowed on a disabled key.", {
      innererror: { code: "KeyDisabled" },
    });
  }
  return ok(keyBundle(context.state, vault, key, version));
}

export function keyBundle(
  state: AzureState,
  vault: VaultState,
  key: KeyState,
  version: KeyVersionState,
): Record<string, unknown> {
  return {
    key: {
      kid: kidOf(vault, key, version),
      kty: version.kty,
      key_ops: [...version.ops],
      ...state.materialOf(vault, key, version),
    },
    attributes: attributesOf(vault, version),
  };
}

function kidOf(vault: VaultState, key: KeyState, version: KeyVersionState): string {
  return `https://${vault.host}/keys/${key.name}/${version.version}`;
}

/** Attributes in Key Vault's order; the recovery level follows the vault's deletion settings. */
function attributesOf(vault: VaultState, version: KeyVersionState): Record<string, unknown> {
  const attributes: Record<string, unknown> = { enabled: version.enabled };
  if (version.nbf !== undefined) attributes.nbf = version.nbf;
  if (version.exp !== undefined) attributes.exp = version.exp;
  attributes.created = version.created;
  attributes.updated = version.updated;
  if (!vault.enableSoftDelete) {
    attributes.recoveryLevel = "Purgeable";
    return attributes;
  }
  const customised = vault.softDeleteRetentionInDays < 90 ? "CustomizedRecoverable" : "Recoverable";
  attributes.recoveryLevel = vault.enablePurgeProtection ? customised : `${customised}+Purgeable`;
  attributes.recoverableDays = vault.softDeleteRetentionInDays;
  return attributes;
}

/** One page of `{kid, attributes}` items; the last page says `nextLink: null`, as recorded. */
function versions(context: RequestContext, vault: VaultState, key: KeyState): Reply {
  const offset = decodeSkipToken(context.query.get("$skiptoken"));
  if (offset === undefined) return errorReply(400, "BadParameter", "The $skiptoken is not valid.");
  const asked = Number(context.query.get("maxresults") ?? Number.NaN);
  const size =
    Number.isInteger(asked) && asked >= 1 && asked <= 25
      ? asked
      : context.options.keyVersionsPageSize;
  const page = pageOf(key.ordered, offset, size);
  let nextLink: string | null = null;
  if (page.nextOffset !== undefined) {
    const apiVersion = context.query.get("api-version") ?? "7.5";
    const token = encodeSkipToken(page.nextOffset);
    // Key Vault writes the port into its nextLinks (see the 7.5 GetKeyVersions example).
    nextLink =
      `https://${vault.host}:443/keys/${key.name}/versions?api-version=${apiVersion}` +
      `&$skiptoken=${token}&maxresults=${size}`;
  }
  return ok({
    value: page.items.map((v) => ({
      kid: kidOf(vault, key, v),
      attributes: attributesOf(vault, v),
    })),
    nextLink,
  });
}

/** A new current version shaped like the current one, as the recorded rotate returns. */
function rotate(context: RequestContext, vault: VaultState, key: KeyState): Reply {
  const version = context.state.addKeyVersion(vault.name, key.name);
  const created = key.versions.get(version);
  if (created === undefined) throw new Error(`stand-in: rotated version ${version} vanished`);
  return ok(keyBundle(context.state, vault, key, created));
}

/** The policy Key Vault reports for a key that has none set: notify 30 days before expiry. */
function policy(_context: RequestContext, vault: VaultState, key: KeyState): Reply {
  return ok({
    id: `https://${vault.host}/keys/${key.name}/rotationpolicy`,
    lifetimeActions: [{ trigger: { timeBeforeExpiry: "P30D" }, action: { type: "Notify" } }],
    attributes: {},
  });
}

/** The recorded deleted-key body: recoveryId, dates in seconds, and the current version. */
function getDeleted(context: RequestContext, vault: VaultState, name: string): Reply {
  const deleted = vault.deletedKeys.get(name.toLowerCase());
  const current = deleted?.key.ordered.at(-1);
  if (deleted === undefined || current === undefined) {
    return errorReply(404, "KeyNotFound", `Deleted Key not found: ${name}`);
  }
  return ok({
    recoveryId: `https://${vault.host}/deletedkeys/${deleted.key.name}`,
    deletedDate: deleted.deletedDate,
    scheduledPurgeDate: deleted.scheduledPurgeDate,
    ...keyBundle(context.state, vault, deleted.key, current),
  });
}
