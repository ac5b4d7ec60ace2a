/** A Batch account as ARM answers it (shape of the recorded GET and the 2024-07-01 examples). */
import { cloudEndpoints, type Cloud } from "./clouds";
import type { ScenarioIdentity } from "./scenario";
import type { AccountState } from "./state";

export function batchAccountBody(account: AccountState, cloud: Cloud): Record<string, unknown> {
  const encryption =
    account.keySource === "Microsoft.KeyVault"
      ? {
          keySource: account.keySource,
          keyVaultProperties: { keyIdentifier: account.keyIdentifier },
        }
      : { keySource: account.keySource };
  const body: Record<string, unknown> = {
    id: account.id,
    name: account.name,
    type: "Microsoft.Batch/batchAccounts",
    location: account.location,
    properties: {
      accountEndpoint: `${account.name}.${account.location}.${cloudEndpoints[cloud].batchSuffix}`,
      provisioningState: account.provisioningState,
      dedicatedCoreQuota: 500,
      dedicatedCoreQuotaPerVMFamilyEnforced: true,
      lowPriorityCoreQuota: 500,
      poolQuota: 100,
      activeJobAndJobScheduleQuota: 300,
      poolAllocationMode: "BatchService",
      publicNetworkAccess: "Enabled",
      privateEndpointConnections: [],
      encryption,
      allowedAuthenticationModes: ["SharedKey", "AAD", "TaskAuthenticationToken"],
    },
    identity: identityBody(account.identity),
  };
  if (Object.keys(account.tags).length > 0) body.tags = { ...account.tags };
  return body;
}

function identityBody(identity: ScenarioIdentity): Record<string, unknown> {
  if (identity.type !== "UserAssigned") return { ...identity };
  const identities: Record<string, unknown> = {};
  for (const [resourceId, { principalId, clientId }] of Object.entries(
    identity.userAssignedIdentities,
  )) {
    identities[resourceId] = { principalId, clientId };
  }
  return { type: identity.type, userAssignedIdentities: identities };
}
