/**
 * The narrow operations the domain needs from Azure. Only files in this folder import Azure SDKs;
 * everything else takes these ports, so unit tests hand in plain object fakes.
 *
 * Every method throws the SDK's `RestError` (with `statusCode` and `code`) or a network error on
 * failure; `classifyError` in `errors.ts` turns those into outcomes.
 */
import type { BatchAccount, KeyVersion, KeyVersionProperties, RoleGrants, Vault } from "../model";

export interface BatchPort {
  /** Every Batch account of a subscription, from list pages (no per-account GET). */
  listAccounts(subscriptionId: string): AsyncIterable<BatchAccount>;
  getAccount(accountId: string): Promise<BatchAccount>;
  /** PATCHes `encryption` to `Microsoft.KeyVault` with the key id; returns the account ARM sent back. */
  setKeyIdentifier(accountId: string, keyIdentifier: string): Promise<BatchAccount>;
}

export interface KeyVaultPort {
  /** GET of one version, or of the current version when `version` is undefined. */
  getKeyVersion(vaultUrl: string, name: string, version?: string): Promise<KeyVersion>;
  /** Every version's attributes (no key material, no type or operations). */
  listKeyVersions(vaultUrl: string, name: string): Promise<KeyVersionProperties[]>;
  /** Key Vault's rotate operation: a new version, returned in full. */
  rotateKey(vaultUrl: string, name: string): Promise<KeyVersion>;
  /** Whether a key that GET calls missing sits soft-deleted and can be recovered. */
  getDeletedKey(
    vaultUrl: string,
    name: string,
  ): Promise<{ recoveryId: string | undefined; scheduledPurgeDate: Date | undefined } | undefined>;
}

export interface VaultPort {
  /** Every vault of a subscription with its properties, from list pages. */
  listVaults(subscriptionId: string): AsyncIterable<Vault>;
  getVault(vaultId: string): Promise<Vault>;
}

export interface RolePort {
  /** Data actions granted to a principal by role assignments at or above `scope`. */
  grantsFor(scope: string, principalId: string): Promise<RoleGrants>;
}

/** Everything the product reaches in Azure, built in one place (`clients.ts`). */
export interface AzurePorts {
  readonly batch: BatchPort;
  readonly keyVault: KeyVaultPort;
  readonly vaults: VaultPort;
  readonly roles: RolePort;
}
