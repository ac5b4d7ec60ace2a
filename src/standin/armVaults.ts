/** ARM Key Vault vaults: list by subscription or resource group (paged) and get. */
import { missingParent, resourceNotFound } from "./armErrors";
import { armListReply } from "./armPaging";
import type { RequestContext, Route } from "./context";
import { errorReply, ok, type Reply } from "./replies";
import type { AzureState, VaultState } from "./state";

const vaultType = "Microsoft.KeyVault/vaults";

export function routeVaults(context: RequestContext): Route | undefined {
  const [root, subscriptionId = "", third, resourceGroup = ""] = context.segments;
  const lower = context.lower;
  if (root?.toLowerCase() !== "subscriptions" || context.method !== "GET") return undefined;

  if (third?.toLowerCase() === "resources" && lower.length === 3) {
    // arm-keyvault's `vaults.list` goes through the generic resources list with a type filter.
    return {
      operation: "vaults.listResources",
      handle: () => listResources(context, subscriptionId),
    };
  }
  if (
    third?.toLowerCase() === "providers" &&
    same(lower.slice(3), ["microsoft.keyvault", "vaults"])
  ) {
    return { operation: "vaults.list", handle: () => listBySubscription(context, subscriptionId) };
  }
  if (third?.toLowerCase() !== "resourcegroups") return undefined;
  if (!same(lower.slice(4, 7), ["providers", "microsoft.keyvault", "vaults"])) return undefined;
  if (lower.length === 7) {
    return {
      operation: "vaults.listByResourceGroup",
      handle: () => listByResourceGroup(context, subscriptionId, resourceGroup),
    };
  }
  const name = context.segments[7];
  if (lower.length !== 8 || name === undefined) return undefined;
  return {
    operation: "vaults.get",
    handle: () => get(context, subscriptionId, resourceGroup, name),
  };
}

function same(actual: readonly string[], expected: readonly string[]): boolean {
  return actual.length === expected.length && expected.every((part, i) => actual[i] === part);
}

function listBySubscription(context: RequestContext, subscriptionId: string): Reply {
  const missing = missingParent(context.state, subscriptionId);
  if (missing !== undefined) return missing;
  const vaults = context.state.vaultsBySubscription.get(subscriptionId.toLowerCase()) ?? [];
  return armListReply(context, vaults, (v) => vaultBody(context.state, v));
}

function listByResourceGroup(
  context: RequestContext,
  subscriptionId: string,
  group: string,
): Reply {
  const missing = missingParent(context.state, subscriptionId, group);
  if (missing !== undefined) return missing;
  const vaults = context.state.vaultsByResourceGroup.get(
    `${subscriptionId}/${group}`.toLowerCase(),
  );
  return armListReply(context, vaults ?? [], (v) => vaultBody(context.state, v));
}

function listResources(context: RequestContext, subscriptionId: string): Reply {
  const filter = context.query.get("$filter") ?? "";
  if (!/resourceType eq 'Microsoft\.KeyVault\/vaults'/i.test(filter)) {
    return errorReply(
      400,
      "InvalidFilter",
      `The stand-in lists only Key Vault resources, not '${filter}'.`,
    );
  }
  const missing = missingParent(context.state, subscriptionId);
  if (missing !== undefined) return missing;
  const vaults = context.state.vaultsBySubscription.get(subscriptionId.toLowerCase()) ?? [];
  return armListReply(context, vaults, (v) => ({
    id: v.id,
    name: v.id.split("/").pop(),
    type: vaultType,
    location: v.location,
    tags: {},
  }));
}

function get(context: RequestContext, subscriptionId: string, group: string, name: string): Reply {
  const id = `/subscriptions/${subscriptionId}/resourceGroups/${group}/providers/${vaultType}/${name}`;
  const vault = context.state.vaultsById.get(id.toLowerCase());
  if (vault !== undefined) return ok(vaultBody(context.state, vault));
  return (
    missingParent(context.state, subscriptionId, group) ?? resourceNotFound(vaultType, name, group)
  );
}

/**
 * A vault as ARM answers it, after the recorded GET: `enablePurgeProtection` is left out when off
 * (the service never sends false), and so is `softDeleteRetentionInDays`.
 */
export function vaultBody(state: AzureState, vault: VaultState): Record<string, unknown> {
  const properties: Record<string, unknown> = {
    sku: { family: "A", name: "standard" },
    tenantId: state.scenario.tenantId,
    accessPolicies: [...vault.accessPolicies.values()].map((p) => ({
      tenantId: p.tenantId,
      objectId: p.objectId,
      permissions: { keys: [...p.keys], secrets: [], certificates: [] },
    })),
    enabledForDeployment: false,
    enabledForDiskEncryption: false,
    enabledForTemplateDeployment: false,
    enableSoftDelete: vault.enableSoftDelete,
    enableRbacAuthorization: vault.enableRbacAuthorization,
    vaultUri: `https://${vault.host}/`,
    provisioningState: "Succeeded",
    publicNetworkAccess: "Enabled",
  };
  if (vault.enablePurgeProtection) properties.enablePurgeProtection = true;
  return {
    id: vault.id,
    name: vault.id.split("/").pop(),
    type: vaultType,
    location: vault.location,
    tags: {},
    properties,
  };
}
