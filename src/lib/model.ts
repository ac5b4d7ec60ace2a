/** Domain shapes shared by rotation, the probe and the ports over Azure. */

/** A Batch account as the product sees it: identifiers, encryption and identity only. */
export interface BatchAccount {
  /** ARM resource id as Azure returned it. */
  readonly id: string;
  readonly name: string;
  readonly subscriptionId: string;
  /** `Microsoft.Batch` (platform-managed keys) or `Microsoft.KeyVault` (customer-managed). */
  readonly keySource: string | undefined;
  /** The key URL the account is encrypted with, as Azure returned it. */
  readonly keyIdentifier: string | undefined;
  readonly identity: AccountIdentity;
  /** Invalid, Creating, Deleting, Succeeded, Failed or Cancelled. */
  readonly provisioningState: string | undefined;
}

export interface AccountIdentity {
  /** `None`, `SystemAssigned` or `UserAssigned` (Batch accepts one or the other). */
  readonly type: string;
  /** Object id of the system-assigned identity. */
  readonly principalId: string | undefined;
  /** Object ids of user-assigned identities, by identity resource id. */
  readonly userAssigned: ReadonlyArray<{
    readonly resourceId: string;
    readonly principalId: string | undefined;
  }>;
}

/** What Key Vault says of one key version. `keyType`, `keySize` and `keyOps` need a GET of it. */
export interface KeyVersion {
  /** Canonical versioned key id. */
  readonly kid: string;
  readonly name: string;
  readonly version: string;
  readonly enabled: boolean;
  readonly createdOn: Date | undefined;
  readonly notBefore: Date | undefined;
  readonly expiresOn: Date | undefined;
  readonly keyType: string | undefined;
  /** Bit length of the RSA modulus. */
  readonly keySize: number | undefined;
  readonly keyOps: readonly string[] | undefined;
}

/** One entry of a key's version list: attributes only. */
export type KeyVersionProperties = Pick<
  KeyVersion,
  "kid" | "name" | "version" | "enabled" | "createdOn" | "notBefore" | "expiresOn"
>;

/** The ARM view of a vault that matters to Batch encryption. */
export interface Vault {
  readonly id: string;
  readonly name: string;
  /** Canonical vault URL, `https://<name>.<suffix>`. */
  readonly vaultUrl: string;
  readonly enableSoftDelete: boolean;
  /** Absent in the service response means off: it can never be turned off once on. */
  readonly enablePurgeProtection: boolean;
  readonly enableRbacAuthorization: boolean;
  readonly accessPolicies: ReadonlyArray<{
    readonly objectId: string;
    readonly keys: readonly string[];
  }>;
}

/** The key data actions one assigned role gives: its `dataActions` less its `notDataActions`. */
export interface RoleGrant {
  readonly dataActions: readonly string[];
  readonly notDataActions: readonly string[];
}

/**
 * What an identity holds through role assignments on a key's scope, one entry per assigned role.
 * Azure subtracts a role's notDataActions from that role's own dataActions only, so the roles are
 * kept apart rather than merged.
 */
export interface RoleGrants {
  readonly roles: readonly RoleGrant[];
}
