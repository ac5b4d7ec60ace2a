/** The Batch port over `@azure/arm-batch`. */
import type { BatchAccount as SdkBatchAccount } from "@azure/arm-batch";
import type { BatchAccount } from "../model";
import type { AzureClients } from "./clients";
import type { BatchPort } from "./ports";
import { parseResourceId } from "./resourceId";

export function createBatchPort(clients: AzureClients): BatchPort {
  return {
    async *listAccounts(subscriptionId) {
      for await (const account of clients.batch(subscriptionId).batchAccountOperations.list()) {
        yield toAccount(account);
      }
    },

    async getAccount(accountId) {
      const { subscriptionId, resourceGroup, name } = parseAccountId(accountId);
      const account = await clients
        .batch(subscriptionId)
        .batchAccountOperations.get(resourceGroup, name);
      return toAccount(account);
    },

    async setKeyIdentifier(accountId, keyIdentifier) {
      const { subscriptionId, resourceGroup, name } = parseAccountId(accountId);
      const account = await clients
        .batch(subscriptionId)
        .batchAccountOperations.update(resourceGroup, name, {
          encryption: { keySource: "Microsoft.KeyVault", keyVaultProperties: { keyIdentifier } },
        });
      return toAccount(account);
    },
  };
}

export function parseAccountId(accountId: string): {
  subscriptionId: string;
  resourceGroup: string;
  name: string;
} {
  return parseResourceId(accountId, "Microsoft.Batch", "batchAccounts");
}

function toAccount(account: SdkBatchAccount): BatchAccount {
  const id = account.id ?? "";
  const userAssigned = Object.entries(account.identity?.userAssignedIdentities ?? {}).map(
    ([resourceId, identity]) => ({
      resourceId,
      principalId: identity.principalId,
    }),
  );
  return {
    id,
    name: account.name ?? "",
    subscriptionId: /^\/subscriptions\/([^/]+)/i.exec(id)?.[1] ?? "",
    keySource: account.encryption?.keySource,
    keyIdentifier: account.encryption?.keyVaultProperties?.keyIdentifier,
    identity: {
      type: account.identity?.type ?? "None",
      principalId: account.identity?.principalId,
      userAssigned,
    },
    provisioningState: account.provisioningState,
  };
}
