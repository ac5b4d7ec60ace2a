/** The app's credential in Azure: managed identity there, `az login` or environment locally. */
import type { TokenCredential } from "@azure/core-auth";
import { DefaultAzureCredential } from "@azure/identity";

let shared: TokenCredential | undefined;

/**
 * Built on first use only, and never in an offline run: its managed-identity step reaches for the
 * cloud metadata address, which must not happen outside Azure.
 */
export function azureCredential(): TokenCredential {
  shared ??= new DefaultAzureCredential();
  return shared;
}
