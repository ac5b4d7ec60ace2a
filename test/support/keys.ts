/** Realistic key identifiers and versions for tests. */
import { type KeyId, parseKeyId } from "../../src/lib/keyId";
import type { KeyVersion } from "../../src/lib/model";

export const vaultUrl = "https://contoso-cmk.vault.azure.net";
export const vaultId =
  "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/security-rg/providers/Microsoft.KeyVault/vaults/contoso-cmk";

/** A 32-hex version whose digits say its order: v(1) < v(2) < ... */
export function v(n: number): string {
  return n.toString(16).padStart(32, "0");
}

export function kid(version?: string, name = "batch-cmk"): string {
  return version === undefined ? `${vaultUrl}/keys/${name}` : `${vaultUrl}/keys/${name}/${version}`;
}

export function keyId(version?: string): KeyId {
  return parseKeyId(kid(version), { cloud: "public" });
}

/** A usable RSA 3072 version created on day `n` of 2026. */
export function keyVersion(n: number, overrides: Partial<KeyVersion> = {}): KeyVersion {
  return {
    kid: kid(v(n)),
    name: "batch-cmk",
    version: v(n),
    enabled: true,
    createdOn: new Date(Date.UTC(2026, 0, n)),
    notBefore: undefined,
    expiresOn: new Date(Date.UTC(2027, 0, n)),
    keyType: "RSA",
    keySize: 3072,
    keyOps: ["encrypt", "decrypt", "wrapKey", "unwrapKey"],
    ...overrides,
  };
}
