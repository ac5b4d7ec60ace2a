/** Table clients for the ledger and alert state, from the Function App's own storage settings. */
import type { TokenCredential } from "@azure/core-auth";
import { TableClient } from "@azure/data-tables";
import type { Settings } from "../config";

export function createTableClient(
  settings: Pick<Settings, "storageConnection" | "storageAccountUrl">,
  tableName: string,
  credential: TokenCredential,
): TableClient {
  if (settings.storageConnection !== undefined) {
    // Plain http is allowed only for an emulator on this machine (Azurite).
    const loopback =
      /(^|;)UseDevelopmentStorage=true|TableEndpoint=http:\/\/(127\.0\.0\.1|localhost|\[::1\])[:/]/i.test(
        settings.storageConnection,
      );
    return TableClient.fromConnectionString(settings.storageConnection, tableName, {
      allowInsecureConnection: loopback,
    });
  }
  if (settings.storageAccountUrl !== undefined) {
    return new TableClient(settings.storageAccountUrl, tableName, credential);
  }
  throw new Error(
    "no storage for the ledger: set AzureWebJobsStorage (a connection string) or AzureWebJobsStorage__tableServiceUri (with the app's identity)",
  );
}
