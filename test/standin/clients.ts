/** Real SDK clients wired to a stand-in, with retries short enough for tests. */
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { BatchManagementClient } from "@azure/arm-batch";
import { KeyVaultManagementClient } from "@azure/arm-keyvault";
import { KeyClient } from "@azure/keyvault-keys";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadScenario, type Scenario, type StandIn } from "../../src/standin";

export const subscriptionId = "11111111-1111-1111-1111-111111111111";
export const accountsGroupId = `/subscriptions/${subscriptionId}/resourceGroups/rg-batch`;
export const systemAccountId = `${accountsGroupId}/providers/Microsoft.Batch/batchAccounts/batchsystem`;
export const cmkVaultUrl = "https://contoso-cmk.vault.azure.net";
export const v0 = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
export const v1 = "1b2c3d4e5f60718293a4b5c6d7e8f90a";
export const v2 = "2c3d4e5f60718293a4b5c6d7e8f90a1b";

/** Retries quick enough that a retried request costs milliseconds, not seconds. */
const retryOptions = { maxRetries: 3, retryDelayInMs: 5, maxRetryDelayInMs: 20 };

export function basicScenario(): Scenario {
  const path = join(__dirname, "scenarios", "basic.json");
  return loadScenario(JSON.parse(readFileSync(path, "utf8")));
}

export function batchClient(standIn: StandIn): BatchManagementClient {
  const options = { httpClient: standIn.httpClient, retryOptions };
  return new BatchManagementClient(standIn.credential, subscriptionId, options);
}

export function keyClient(standIn: StandIn, vaultUrl = cmkVaultUrl): KeyClient {
  return new KeyClient(vaultUrl, standIn.credential, {
    httpClient: standIn.httpClient,
    retryOptions,
  });
}

export function vaultClient(standIn: StandIn): KeyVaultManagementClient {
  const options = { httpClient: standIn.httpClient, retryOptions };
  return new KeyVaultManagementClient(standIn.credential, subscriptionId, options);
}

export function authorizationClient(standIn: StandIn): AuthorizationManagementClient {
  const options = { httpClient: standIn.httpClient, retryOptions };
  return new AuthorizationManagementClient(standIn.credential, subscriptionId, options);
}

export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const all: T[] = [];
  for await (const item of items) all.push(item);
  return all;
}
