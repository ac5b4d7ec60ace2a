/** The vault and role ports over `@azure/arm-keyvault` and `@azure/arm-authorization`. */
import type { Vault as SdkVault } from "@azure/arm-keyvault";
import type { RoleGrant, Vault } from "../model";
import type { AzureClients } from "./clients";
import type { RolePort, VaultPort } from "./ports";
import { parseResourceId } from "./resourceId";

export function createVaultPort(clients: AzureClients): VaultPort {
  return {
    async *listVaults(subscriptionId) {
      for await (const vault of clients.vaults(subscriptionId).vaults.listBySubscription()) {
        yield toVault(vault);
      }
    },

    async getVault(vaultId) {
      const { subscriptionId, resourceGroup, name } = parseResourceId(
        vaultId,
        "Microsoft.KeyVault",
        "vaults",
      );
      return toVault(await clients.vaults(subscriptionId).vaults.get(resourceGroup, name));
    },
  };
}

export function createRolePort(clients: AzureClients): RolePort {
  const definitions = new Map<string, Promise<RoleGrant>>();

  const definition = (subscriptionId: string, roleDefinitionId: string): Promise<RoleGrant> => {
    const key = roleDefinitionId.toLowerCase();
    let found = definitions.get(key);
    if (found === undefined) {
      // NOTE: a role's permission blocks are merged; built-in Key Vault roles have exactly one.
      found = clients
        .authorization(subscriptionId)
        .roleDefinitions.getById(roleDefinitionId)
        .then((role) => ({
          dataActions: (role.permissions ?? []).flatMap(
            (permission) => permission.dataActions ?? [],
          ),
          notDataActions: (role.permissions ?? []).flatMap(
            (permission) => permission.notDataActions ?? [],
          ),
        }));
      // A failed read is not remembered, so the next probe asks again.
      found.catch(() => definitions.delete(key));
      definitions.set(key, found);
    }
    return found;
  };

  return {
    async grantsFor(scope, principalId) {
      const subscriptionId = /^\/subscriptions\/([^/]+)/i.exec(scope)?.[1] ?? "";
      const assignments = clients
        .authorization(subscriptionId)
        .roleAssignments.listForScope(scope, { filter: `principalId eq '${principalId}'` });
      const roles: RoleGrant[] = [];
      for await (const assignment of assignments) {
        // The filter also returns assignments below the scope; only those at or above it apply.
        const at = (assignment.scope ?? "").toLowerCase().replace(/\/$/, "");
        if (!appliesTo(at, scope.toLowerCase())) continue;
        if (assignment.roleDefinitionId === undefined) continue;
        // Kept per role: each role's notDataActions limit that role's own dataActions only.
        roles.push(await definition(subscriptionId, assignment.roleDefinitionId));
      }
      return { roles };
    },
  };
}

function appliesTo(assignmentScope: string, scope: string): boolean {
  return (
    assignmentScope === "/" || scope === assignmentScope || scope.startsWith(`${assignmentScope}/`)
  );
}

function toVault(vault: SdkVault): Vault {
  const name = vault.name ?? "";
  return {
    id: vault.id ?? "",
    name,
    vaultUrl: (vault.properties.vaultUri ?? "")
      .toLowerCase()
      .replace(/:443(?=\/|$)/, "")
      .replace(/\/+$/, ""),
    enableSoftDelete: vault.properties.enableSoftDelete !== false,
    enablePurgeProtection: vault.properties.enablePurgeProtection === true,
    enableRbacAuthorization: vault.properties.enableRbacAuthorization === true,
    accessPolicies: (vault.properties.accessPolicies ?? []).map((policy) => ({
      objectId: policy.objectId,
      keys: policy.permissions.keys ?? [],
    })),
  };
}
