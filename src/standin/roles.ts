/**
 * Role definitions and the evaluation of data actions, enough to say whether a principal may use
 * a key under Key Vault's RBAC model.
 */
import type { ScenarioRoleDefinition } from "./scenario";

/** The Key Vault built-in roles the product meets; GUIDs are Azure's own. */
export const builtInRoles: readonly ScenarioRoleDefinition[] = [
  {
    id: "e147488a-f6f5-4113-8e2d-b22465e65bf6",
    roleName: "Key Vault Crypto Service Encryption User",
    actions: [
      "Microsoft.EventGrid/eventSubscriptions/write",
      "Microsoft.EventGrid/eventSubscriptions/read",
      "Microsoft.EventGrid/eventSubscriptions/delete",
    ],
    dataActions: [
      "Microsoft.KeyVault/vaults/keys/read",
      "Microsoft.KeyVault/vaults/keys/wrap/action",
      "Microsoft.KeyVault/vaults/keys/unwrap/action",
    ],
    notDataActions: [],
  },
  {
    id: "14b46e9e-c2b7-41b4-b07b-48a6ebf60603",
    roleName: "Key Vault Crypto Officer",
    actions: [
      "Microsoft.Authorization/*/read",
      "Microsoft.Insights/alertRules/*",
      "Microsoft.Resources/deployments/*",
      "Microsoft.Resources/subscriptions/resourceGroups/read",
      "Microsoft.Support/*",
      "Microsoft.KeyVault/checkNameAvailability/read",
      "Microsoft.KeyVault/deletedVaults/read",
      "Microsoft.KeyVault/locations/*/read",
      "Microsoft.KeyVault/vaults/*/read",
      "Microsoft.KeyVault/operations/read",
    ],
    dataActions: [
      "Microsoft.KeyVault/vaults/keys/*",
      "Microsoft.KeyVault/vaults/keyrotationpolicies/*",
    ],
    notDataActions: [],
  },
  {
    // NOTE: kept free of key data actions on purpose: a reader can never wrap or unwrap.
    id: "21090545-7ca7-4776-b22c-e363652d74d2",
    roleName: "Key Vault Reader",
    actions: [
      "Microsoft.Authorization/*/read",
      "Microsoft.KeyVault/checkNameAvailability/read",
      "Microsoft.KeyVault/vaults/read",
      "Microsoft.KeyVault/operations/read",
    ],
    dataActions: ["Microsoft.KeyVault/vaults/secrets/readMetadata/action"],
    notDataActions: [],
  },
];

/** The data actions Batch needs on its key under RBAC. */
export const batchKeyDataActions: readonly string[] = [
  "Microsoft.KeyVault/vaults/keys/read",
  "Microsoft.KeyVault/vaults/keys/wrap/action",
  "Microsoft.KeyVault/vaults/keys/unwrap/action",
];

/** The access-policy key permissions Batch needs (the vault lists them in this spelling). */
export const batchKeyPermissions: readonly string[] = ["get", "wrapKey", "unwrapKey"];

const patternCache = new Map<string, RegExp>();

/** ARM action patterns use `*` as a wildcard and compare case-insensitively. */
function actionMatches(pattern: string, action: string): boolean {
  let regex = patternCache.get(pattern);
  if (regex === undefined) {
    const body = pattern
      .split("*")
      .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, "\\$&"))
      .join(".*");
    regex = new RegExp(`^${body}$`, "i");
    patternCache.set(pattern, regex);
  }
  return regex.test(action);
}

/** Whether a role grants a data action: some `dataActions` match and no `notDataActions` do. */
export function roleGrants(role: ScenarioRoleDefinition, dataAction: string): boolean {
  return (
    role.dataActions.some((p) => actionMatches(p, dataAction)) &&
    !role.notDataActions.some((p) => actionMatches(p, dataAction))
  );
}

/** Lower-cased, no trailing slash: how scopes compare. */
export function normaliseScope(scope: string): string {
  return scope.replace(/\/+$/, "").toLowerCase();
}

/** Whether an assignment at `assigned` reaches `target` (same scope or an ancestor of it). */
export function scopeCovers(assigned: string, target: string): boolean {
  const a = normaliseScope(assigned);
  const t = normaliseScope(target);
  return a === "" || a === "/" || t === a || t.startsWith(`${a}/`);
}
