/**
 * A healthy single-account world for the probe's scenario tests: one vault (access policies or
 * RBAC), one RSA key with two versions, and one Batch account pinning the current version through
 * a system- or user-assigned identity that holds Get, Wrap Key and Unwrap Key. Each test then
 * breaks one thing through the stand-in's API.
 */
import type { ProbeRun } from "../../src/lib/runtime";
import { loadScenario, type Scenario } from "../../src/standin/scenario";

export type Access = "access-policy" | "RBAC";
export type IdentityKind = "system-assigned" | "user-assigned" | "no";

export const subscription = "6f1d2c3b-4a59-4e8d-9c7b-1a2b3c4d5e6f";
export const olderVersion = "4f1c2a9be0d34c7d8a6f5e3b2c1d0e9f";
export const currentVersion = "7d2e3b4a5c6d4e8f9a0b1c2d3e4f5a6b";
export const systemPrincipal = "3c1f8a52-7d4e-4b9a-a1c2-5e6f7a8b9c01";
export const userPrincipal = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c02";
export const userIdentityId = `/subscriptions/${subscription}/resourceGroups/identity-rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/batch-prod-id`;
export const cryptoServiceEncryptionUser = "e147488a-f6f5-4113-8e2d-b22465e65bf6";
export const keyVaultReader = "21090545-7ca7-4776-b22c-e363652d74d2";
/** A custom role in every healthy scenario, assigned to no one until a test does. */
export const keysExceptUnwrap = "0c3f5a7e-2b4d-4e6f-8a1c-3d5e7f9a1b2c";

/** Everything a test needs to name the account, its key and its identity. */
export interface Healthy {
  readonly scenario: Scenario;
  readonly vaultName: string;
  readonly vaultId: string;
  readonly keyName: string;
  readonly accountId: string;
  readonly identity: IdentityKind;
  /** The principal that holds the key permissions; undefined for an account without identity. */
  readonly principalId: string | undefined;
  /** The role assignment's name on RBAC vaults. */
  readonly assignmentName: string | undefined;
  /** The versioned key URL the account pins, or the versionless one. */
  readonly kid: string;
  readonly kidOf: (version: string) => string;
}

export interface HealthyOptions {
  readonly access: Access;
  readonly identity: IdentityKind;
  /** Pin the current version (default) or follow the key without a version. */
  readonly pin?: "current" | "versionless";
  /** Vault properties differing from Batch's requirements, for the vault checks. */
  readonly vault?: { readonly enablePurgeProtection?: boolean };
}

export function healthy(options: HealthyOptions): Healthy {
  const rbac = options.access === "RBAC";
  const vaultName = rbac ? "contoso-rbac" : "contoso-cmk";
  const vaultId = `/subscriptions/${subscription}/resourceGroups/security-rg/providers/Microsoft.KeyVault/vaults/${vaultName}`;
  const keyName = "batch-cmk";
  const accountName = "batchprod";
  const principalId =
    options.identity === "system-assigned"
      ? systemPrincipal
      : options.identity === "user-assigned"
        ? userPrincipal
        : undefined;
  const identity =
    options.identity === "system-assigned"
      ? { type: "SystemAssigned", principalId: systemPrincipal }
      : options.identity === "user-assigned"
        ? {
            type: "UserAssigned",
            userAssignedIdentities: {
              [userIdentityId]: {
                principalId: userPrincipal,
                clientId: "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d04",
              },
            },
          }
        : { type: "None" };
  const assignmentName =
    rbac && principalId !== undefined ? "5b1d9e2c-8a4f-4c3e-9b7a-6d5e4f3c2b1a" : undefined;
  const kidOf = (version: string) =>
    `https://${vaultName}.vault.azure.net/keys/${keyName}/${version}`;
  const versionless = options.pin === "versionless";

  const scenario = loadScenario({
    cloud: "public",
    tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
    subscriptions: [subscription],
    vaults: [
      {
        name: vaultName,
        subscriptionId: subscription,
        resourceGroup: "security-rg",
        location: "westeurope",
        enableRbacAuthorization: rbac,
        ...(options.vault?.enablePurgeProtection === false && { enablePurgeProtection: false }),
        accessPolicies:
          rbac || principalId === undefined
            ? []
            : [{ objectId: principalId, keys: ["get", "wrapKey", "unwrapKey"] }],
        keys: [
          {
            name: keyName,
            kty: "RSA-HSM",
            size: 3072,
            versions: [
              { version: olderVersion, created: "2025-12-01T00:00:00Z" },
              { version: currentVersion, created: "2026-06-01T00:00:00Z" },
            ],
          },
        ],
      },
    ],
    roleDefinitions: [
      {
        id: keysExceptUnwrap,
        roleName: "Key user without unwrap",
        dataActions: ["Microsoft.KeyVault/vaults/keys/*"],
        notDataActions: ["Microsoft.KeyVault/vaults/keys/unwrap/action"],
      },
    ],
    roleAssignments:
      assignmentName === undefined
        ? []
        : [
            {
              name: assignmentName,
              principalId,
              scope: vaultId,
              roleDefinitionId: cryptoServiceEncryptionUser,
            },
          ],
    accounts: [
      {
        subscriptionId: subscription,
        resourceGroup: "batch-rg",
        name: accountName,
        location: "westeurope",
        identity,
        key: { vault: vaultName, name: keyName, ...(!versionless && { version: -1 }) },
      },
    ],
  });

  return {
    scenario,
    vaultName,
    vaultId,
    keyName,
    accountId: `/subscriptions/${subscription}/resourceGroups/batch-rg/providers/Microsoft.Batch/batchAccounts/${accountName}`,
    identity: options.identity,
    principalId,
    assignmentName,
    kid: versionless
      ? `https://${vaultName}.vault.azure.net/keys/${keyName}`
      : kidOf(currentVersion),
    kidOf,
  };
}

/** Each probed account's findings as `{ accountId, check, severity, message }`, in check order. */
export function findingsOf(run: ProbeRun) {
  return run.results.flatMap((result) =>
    result.findings.map(({ check, severity, message }) => ({
      accountId: result.accountId,
      check,
      severity,
      message,
    })),
  );
}

/** The mixed fleet's accounts: every vault kind with every identity kind, and one versionless. */
export const fleetAccounts = {
  policySystem: "batchpolicysys",
  policyUser: "batchpolicyuser",
  rbacSystem: "batchrbacsys",
  rbacUser: "batchrbacuser",
  policyFollow: "batchfollow",
} as const;

export const fleetAccountId = (name: string) =>
  `/subscriptions/${subscription}/resourceGroups/batch-rg/providers/Microsoft.Batch/batchAccounts/${name}`;

/**
 * A healthy mixed fleet: an access-policy vault and an RBAC vault, each with a key of two
 * versions, and accounts on each with system- and user-assigned identities. The user-assigned
 * identity is shared, as operators often do; the versionless account shares the first
 * system-assigned principal's vault.
 */
export function healthyFleet(): Scenario {
  const systemOf = (name: string) => fleetSystemPrincipals[name] ?? "";
  const userIdentity = {
    type: "UserAssigned",
    userAssignedIdentities: {
      [userIdentityId]: {
        principalId: userPrincipal,
        clientId: "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d04",
      },
    },
  };
  const vault = (name: string, rbac: boolean, principals: string[]) => ({
    name,
    subscriptionId: subscription,
    resourceGroup: "security-rg",
    location: "westeurope",
    enableRbacAuthorization: rbac,
    accessPolicies: rbac
      ? []
      : principals.map((objectId) => ({ objectId, keys: ["get", "wrapKey", "unwrapKey"] })),
    keys: [
      {
        name: "batch-cmk",
        kty: "RSA-HSM",
        size: 3072,
        versions: [
          { version: olderVersion, created: "2025-12-01T00:00:00Z" },
          { version: currentVersion, created: "2026-06-01T00:00:00Z" },
        ],
      },
    ],
  });
  const account = (name: string, vaultName: string, identity: unknown, versioned = true) => ({
    subscriptionId: subscription,
    resourceGroup: "batch-rg",
    name,
    location: "westeurope",
    identity,
    key: { vault: vaultName, name: "batch-cmk", ...(versioned && { version: -1 }) },
  });
  const { policySystem, policyUser, rbacSystem, rbacUser, policyFollow } = fleetAccounts;
  const rbacVaultId = `/subscriptions/${subscription}/resourceGroups/security-rg/providers/Microsoft.KeyVault/vaults/contoso-rbac`;
  return loadScenario({
    cloud: "public",
    tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
    subscriptions: [subscription],
    vaults: [
      vault("contoso-cmk", false, [systemOf(policySystem), systemOf(policyFollow), userPrincipal]),
      vault("contoso-rbac", true, []),
    ],
    roleAssignments: [systemOf(rbacSystem), userPrincipal].map((principalId) => ({
      principalId,
      scope: rbacVaultId,
      roleDefinitionId: cryptoServiceEncryptionUser,
    })),
    accounts: [
      account(policySystem, "contoso-cmk", {
        type: "SystemAssigned",
        principalId: systemOf(policySystem),
      }),
      account(policyUser, "contoso-cmk", userIdentity),
      account(rbacSystem, "contoso-rbac", {
        type: "SystemAssigned",
        principalId: systemOf(rbacSystem),
      }),
      account(rbacUser, "contoso-rbac", userIdentity),
      account(
        policyFollow,
        "contoso-cmk",
        { type: "SystemAssigned", principalId: systemOf(policyFollow) },
        false,
      ),
    ],
  });
}

/** System-assigned principals of the mixed fleet's accounts that have one. */
export const fleetSystemPrincipals: Readonly<Record<string, string>> = {
  [fleetAccounts.policySystem]: "3c1f8a52-7d4e-4b9a-a1c2-5e6f7a8b9c01",
  [fleetAccounts.rbacSystem]: "5d6e7f80-91a2-4b3c-9d4e-5f6a7b8c9d03",
  [fleetAccounts.policyFollow]: "8e9fa0b1-c2d3-4e5f-8a6b-7c8d9e0f1a04",
};
