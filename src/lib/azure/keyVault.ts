/** The Key Vault port over `@azure/keyvault-keys`. */
import type { KeyProperties, KeyVaultKey } from "@azure/keyvault-keys";
import { toKeyId } from "../keyId";
import type { KeyVersion, KeyVersionProperties } from "../model";
import type { AzureClients } from "./clients";
import type { KeyVaultPort } from "./ports";

export function createKeyVaultPort(clients: AzureClients): KeyVaultPort {
  return {
    async getKeyVersion(vaultUrl, name, version) {
      const key = await clients.keys(vaultUrl).getKey(name, version ? { version } : {});
      return toKeyVersion(vaultUrl, key);
    },

    async listKeyVersions(vaultUrl, name) {
      const versions: KeyVersionProperties[] = [];
      for await (const properties of clients.keys(vaultUrl).listPropertiesOfKeyVersions(name)) {
        versions.push(toProperties(vaultUrl, properties));
      }
      return versions;
    },

    async rotateKey(vaultUrl, name) {
      return toKeyVersion(vaultUrl, await clients.keys(vaultUrl).rotateKey(name));
    },

    async getDeletedKey(vaultUrl, name) {
      try {
        const deleted = await clients.keys(vaultUrl).getDeletedKey(name);
        return {
          recoveryId: deleted.properties.recoveryId,
          scheduledPurgeDate: deleted.properties.scheduledPurgeDate,
        };
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) return undefined;
        throw error;
      }
    },
  };
}

function toProperties(vaultUrl: string, properties: KeyProperties): KeyVersionProperties {
  const version = (properties.version ?? "").toLowerCase();
  return {
    kid: toKeyId(vaultUrl, vaultNameOf(vaultUrl), properties.name, version).kid,
    name: properties.name,
    version,
    // Key Vault omits `enabled` only for keys it cannot describe; treat that as not usable.
    enabled: properties.enabled === true,
    createdOn: properties.createdOn,
    notBefore: properties.notBefore,
    expiresOn: properties.expiresOn,
  };
}

function toKeyVersion(vaultUrl: string, key: KeyVaultKey): KeyVersion {
  const modulus = key.key?.n;
  return {
    ...toProperties(vaultUrl, key.properties),
    keyType: key.keyType,
    // Key size is not a field: it is the bit length of the RSA modulus, leading zero bytes aside.
    keySize: modulus ? bitLength(modulus) : undefined,
    keyOps: key.keyOperations,
  };
}

function bitLength(bytes: Uint8Array): number {
  let index = 0;
  while (index < bytes.length && bytes[index] === 0) index++;
  const first = bytes[index];
  if (first === undefined) return 0;
  return (bytes.length - index - 1) * 8 + (32 - Math.clz32(first));
}

function vaultNameOf(vaultUrl: string): string {
  return new URL(vaultUrl).hostname.split(".")[0] ?? "";
}
