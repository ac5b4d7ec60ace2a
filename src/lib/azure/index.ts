/** Builds every port over the real SDK clients. */
import { createBatchPort } from "./batch";
import { type ClientOptions, createAzureClients } from "./clients";
import { createKeyVaultPort } from "./keyVault";
import type { AzurePorts } from "./ports";
import { createRolePort, createVaultPort } from "./vaults";

export function createAzurePorts(options: ClientOptions): AzurePorts {
  const clients = createAzureClients(options);
  return {
    batch: createBatchPort(clients),
    keyVault: createKeyVaultPort(clients),
    vaults: createVaultPort(clients),
    roles: createRolePort(clients),
  };
}
