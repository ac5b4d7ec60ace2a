/**
 * Whether a Batch account's identity can use a key, judged the way Key Vault would: by access
 * policy, or by role assignments when the vault uses RBAC.
 */
import { batchKeyDataActions, batchKeyPermissions, roleGrants, scopeCovers } from "./roles";
import type { ScenarioIdentity } from "./scenario";
import type { AzureState, VaultState } from "./state";

/** Every principal id an account can act as. */
export function principalsOf(identity: ScenarioIdentity): string[] {
  if (identity.type === "SystemAssigned") return [identity.principalId];
  if (identity.type === "UserAssigned") {
    return Object.values(identity.userAssignedIdentities).map((i) => i.principalId);
  }
  return [];
}

/** Why none of the principals may get, wrap and unwrap the key; undefined when one may. */
export function keyAccessProblem(
  state: AzureState,
  principals: readonly string[],
  vault: VaultState,
  keyName: string,
): string | undefined {
  if (principals.length === 0) return "the account has no managed identity";
  const allowed = vault.enableRbacAuthorization
    ? principals.some((p) => rbacAllows(state, p, `${vault.id}/keys/${keyName}`))
    : principals.some((p) => policyAllows(vault, p));
  if (allowed) return undefined;
  const model = vault.enableRbacAuthorization ? "role assignments" : "access policies";
  return (
    `the account's identity lacks get, wrapKey and unwrapKey on key ${keyName} ` +
    `by the ${model} of vault ${vault.name}`
  );
}

function policyAllows(vault: VaultState, principalId: string): boolean {
  const policy = vault.accessPolicies.get(principalId.toLowerCase());
  if (policy === undefined) return false;
  const granted = new Set(policy.keys.map((k) => k.toLowerCase()));
  return batchKeyPermissions.every((p) => granted.has(p.toLowerCase()));
}

function rbacAllows(state: AzureState, principalId: string, keyScope: string): boolean {
  const assignments = state.roleAssignmentsByPrincipal.get(principalId.toLowerCase()) ?? [];
  const roles = assignments
    .filter((a) => scopeCovers(a.scope, keyScope))
    .map((a) => state.roleDefinitions.get(a.roleDefinitionId.toLowerCase()))
    .filter((r) => r !== undefined);
  return batchKeyDataActions.every((action) => roles.some((r) => roleGrants(r, action)));
}
