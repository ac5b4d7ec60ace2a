/**
 * Builds scenarios programmatically, from a handful of accounts for a test to 10,000 for a
 * benchmark. Everything is derived from indexes, so the same options give the same scenario.
 */
import type { Cloud } from "./clouds";
import { cloudEndpoints } from "./clouds";
import { versionIdFrom } from "./keyMaterial";
import { guidFromHex, loadScenario, type Scenario } from "./scenario";

export interface FleetOptions {
  readonly accounts: number;
  readonly cloud?: Cloud;
  /** Accounts are spread round-robin over subscriptions; 1 by default. */
  readonly subscriptions?: number;
  /** Accounts are spread round-robin over vaults, one key each; one vault per 500 accounts. */
  readonly vaults?: number;
  /** Versions of each key, oldest first; 2 by default. */
  readonly versionsPerKey?: number;
  /** RSA key size; 3072 by default. */
  readonly keySize?: 2048 | 3072 | 4096;
  /** How accounts reach their key: vault access policies (default) or RBAC role assignments. */
  readonly access?: "accessPolicy" | "rbac";
  /**
   * `system`: each account its own system-assigned identity (default). `sharedUserAssigned`: one
   * user-assigned identity per vault shared by its accounts (keeps access policies few).
   */
  readonly identity?: "system" | "sharedUserAssigned";
  /** Which version accounts pin: `current`, `previous` (one behind) or `versionless`. */
  readonly pin?: "current" | "previous" | "versionless";
  /** Key expiry of every version, when set. */
  readonly expiresOn?: Date;
}

/** A GUID derived from a label, so fleets are reproducible. */
export function fleetGuid(label: string): string {
  return guidFromHex(versionIdFrom(`fleet/${label}`));
}

export const fleetTenantId = fleetGuid("tenant");

const cryptoServiceEncryptionUser = "e147488a-f6f5-4113-8e2d-b22465e65bf6";

/** A validated scenario of `accounts` Batch accounts, all CMK, all healthy unless told otherwise. */
export function buildFleet(options: FleetOptions): Scenario {
  const accountCount = options.accounts;
  const subscriptionCount = options.subscriptions ?? 1;
  const vaultCount = options.vaults ?? Math.max(1, Math.ceil(accountCount / 500));
  const versionsPerKey = options.versionsPerKey ?? 2;
  const rbac = options.access === "rbac";
  const shared = options.identity === "sharedUserAssigned";
  const suffix = cloudEndpoints[options.cloud ?? "public"].vaultSuffix;

  const subscriptions = Array.from({ length: subscriptionCount }, (_, i) => fleetGuid(`sub/${i}`));
  const keysSubscription = subscriptions[0] ?? fleetGuid("sub/0");
  const vaultNames = Array.from({ length: vaultCount }, (_, i) => `kv-fleet-${i}`);
  const versionIds = (vault: string): string[] =>
    Array.from({ length: versionsPerKey }, (_, i) => versionIdFrom(`${vault}/batch-cmk/${i}`));
  const sharedIdentity = (vault: number) => ({
    resourceId: `/subscriptions/${keysSubscription}/resourceGroups/rg-identities/providers/Microsoft.ManagedIdentity/userAssignedIdentities/batch-cmk-${vault}`,
    principalId: fleetGuid(`uami/${vault}/principal`),
    clientId: fleetGuid(`uami/${vault}/client`),
  });

  const accounts = Array.from({ length: accountCount }, (_, i) => {
    const vaultIndex = i % vaultCount;
    const vault = vaultNames[vaultIndex] ?? "kv-fleet-0";
    const versions = versionIds(vault);
    const pinned =
      options.pin === "versionless"
        ? ""
        : `/${options.pin === "previous" ? (versions.at(-2) ?? versions[0]) : versions.at(-1)}`;
    const uami = sharedIdentity(vaultIndex);
    return {
      subscriptionId: subscriptions[i % subscriptionCount],
      resourceGroup: `rg-batch-${i % 10}`,
      name: `batch${String(i).padStart(6, "0")}`,
      identity: shared
        ? {
            type: "UserAssigned",
            userAssignedIdentities: {
              [uami.resourceId]: { principalId: uami.principalId, clientId: uami.clientId },
            },
          }
        : { type: "SystemAssigned", principalId: fleetGuid(`account/${i}`) },
      keyIdentifier: `https://${vault}.${suffix}/keys/batch-cmk${pinned}`,
    };
  });

  const principalsOfVault = (vaultIndex: number): string[] =>
    shared
      ? [sharedIdentity(vaultIndex).principalId]
      : accounts.flatMap((_, i) =>
          i % vaultCount === vaultIndex ? [fleetGuid(`account/${i}`)] : [],
        );

  const vaults = vaultNames.map((name, v) => ({
    name,
    subscriptionId: keysSubscription,
    resourceGroup: "rg-keys",
    enableRbacAuthorization: rbac,
    accessPolicies: rbac
      ? []
      : principalsOfVault(v).map((objectId) => ({
          objectId,
          keys: ["get", "wrapKey", "unwrapKey"],
        })),
    keys: [
      {
        name: "batch-cmk",
        kty: "RSA",
        size: options.keySize ?? 3072,
        versions: versionIds(name).map((version) => ({
          version,
          ...(options.expiresOn && { exp: options.expiresOn.toISOString() }),
        })),
      },
    ],
  }));

  const roleAssignments = rbac
    ? vaultNames.flatMap((name, v) =>
        principalsOfVault(v).map((principalId) => ({
          principalId,
          scope: `/subscriptions/${keysSubscription}/resourceGroups/rg-keys/providers/Microsoft.KeyVault/vaults/${name}`,
          roleDefinitionId: cryptoServiceEncryptionUser,
        })),
      )
    : [];

  return loadScenario({
    cloud: options.cloud ?? "public",
    tenantId: fleetTenantId,
    subscriptions,
    vaults,
    roleAssignments,
    accounts,
  });
}
