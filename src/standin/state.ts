/**
 * The stand-in's store of Azure resources, indexed by map so a fleet of 10,000 accounts answers
 * every request without a scan, and the mutation API that tests and the demo use to change it.
 */
import { cloudEndpoints } from "./clouds";
import { defaultKeyOps, publicMaterial, versionIdFrom, type KeyType } from "./keyMaterial";
import { builtInRoles, normaliseScope } from "./roles";
import {
  guidFromHex,
  type KeySource,
  type ProvisioningState,
  type Scenario,
  type ScenarioAccessPolicy,
  type ScenarioIdentity,
  type ScenarioKey,
  type ScenarioRoleAssignment,
  type ScenarioRoleDefinition,
  type ScenarioVault,
} from "./scenario";

export interface KeyVersionState {
  readonly version: string;
  readonly kty: KeyType;
  readonly size: number;
  ops: string[];
  enabled: boolean;
  /** Epoch seconds, as Key Vault sends them. */
  nbf: number | undefined;
  exp: number | undefined;
  readonly created: number;
  updated: number;
  /** Public key members, computed on first use. */
  material: Record<string, string> | undefined;
}

export interface KeyState {
  readonly name: string;
  readonly versions: Map<string, KeyVersionState>;
  /** Oldest first; the last is the current version. */
  readonly ordered: KeyVersionState[];
}

export interface DeletedKeyState {
  readonly key: KeyState;
  readonly deletedDate: number;
  readonly scheduledPurgeDate: number;
}

export interface VaultState {
  readonly name: string;
  readonly id: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly host: string;
  enableSoftDelete: boolean;
  enablePurgeProtection: boolean;
  softDeleteRetentionInDays: number;
  enableRbacAuthorization: boolean;
  /** By lower-case object id. */
  readonly accessPolicies: Map<string, ScenarioAccessPolicy>;
  /** By lower-case key name. */
  readonly keys: Map<string, KeyState>;
  readonly deletedKeys: Map<string, DeletedKeyState>;
}

export interface AccountState {
  readonly id: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
  readonly location: string;
  readonly identity: ScenarioIdentity;
  keySource: KeySource;
  keyIdentifier: string | undefined;
  provisioningState: ProvisioningState;
  etag: string;
  lastModified: Date;
  tags: Record<string, string>;
  /** How many times the account changed after seeding (PATCH or mutation API). */
  updates: number;
}

export interface RoleAssignmentState extends ScenarioRoleAssignment {
  readonly id: string;
  readonly createdOn: Date;
}

/** A copy of what the stand-in holds for an account. */
export interface AccountSnapshot {
  readonly id: string;
  readonly keySource: KeySource;
  readonly keyIdentifier: string | undefined;
  readonly provisioningState: ProvisioningState;
  readonly etag: string;
  readonly lastModified: Date;
  readonly tags: Readonly<Record<string, string>>;
  readonly updates: number;
}

/** Changes to a key version's attributes; `null` clears a date. */
export interface KeyVersionAttributes {
  readonly enabled?: boolean;
  readonly nbf?: Date | null;
  readonly exp?: Date | null;
  readonly ops?: readonly string[];
}

export interface NewKeyVersion extends KeyVersionAttributes {
  /** 32 hex characters; generated when absent. */
  readonly version?: string;
  readonly kty?: KeyType;
  readonly size?: number;
}

export interface VaultProperties {
  readonly enableSoftDelete?: boolean;
  readonly enablePurgeProtection?: boolean;
  readonly enableRbacAuthorization?: boolean;
  readonly softDeleteRetentionInDays?: number;
}

const day = 86_400;

function pushTo<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list === undefined) map.set(key, [value]);
  else list.push(value);
}

function toSeconds(date: Date): number {
  return Math.floor(date.getTime() / 1000);
}

/** Seeds itself from a scenario and keeps every index up to date on each change. */
export class AzureState {
  readonly scenario: Scenario;
  readonly clock: () => Date;
  readonly subscriptions = new Set<string>();
  readonly resourceGroups = new Set<string>();
  readonly vaultsByName = new Map<string, VaultState>();
  readonly vaultsByHost = new Map<string, VaultState>();
  readonly vaultsById = new Map<string, VaultState>();
  readonly vaultsBySubscription = new Map<string, VaultState[]>();
  readonly vaultsByResourceGroup = new Map<string, VaultState[]>();
  readonly accountsById = new Map<string, AccountState>();
  readonly accountsBySubscription = new Map<string, AccountState[]>();
  readonly accountsByResourceGroup = new Map<string, AccountState[]>();
  readonly roleDefinitions = new Map<string, ScenarioRoleDefinition>();
  readonly roleAssignmentsByPrincipal = new Map<string, RoleAssignmentState[]>();
  readonly roleAssignmentsByName = new Map<string, RoleAssignmentState>();
  private etagCounter = 0;
  private versionCounter = 0;

  constructor(scenario: Scenario, clock: () => Date) {
    this.scenario = scenario;
    this.clock = clock;
    for (const subscription of scenario.subscriptions) {
      this.subscriptions.add(subscription.id.toLowerCase());
      for (const group of subscription.resourceGroups) {
        this.resourceGroups.add(`${subscription.id}/${group}`.toLowerCase());
      }
    }
    const now = toSeconds(clock());
    for (const vault of scenario.vaults) this.seedVault(vault, now);
    for (const role of [...builtInRoles, ...scenario.roleDefinitions]) {
      this.roleDefinitions.set(role.id.toLowerCase(), role);
    }
    for (const assignment of scenario.roleAssignments) this.storeAssignment(assignment);
    for (const account of scenario.accounts) this.seedAccount(account);
  }

  private seedVault(vault: ScenarioVault, now: number): void {
    const state: VaultState = {
      name: vault.name.toLowerCase(),
      id: vault.id,
      subscriptionId: vault.subscriptionId,
      resourceGroup: vault.resourceGroup,
      location: vault.location,
      host: `${vault.name}.${cloudEndpoints[this.scenario.cloud].vaultSuffix}`.toLowerCase(),
      enableSoftDelete: vault.enableSoftDelete,
      enablePurgeProtection: vault.enablePurgeProtection,
      softDeleteRetentionInDays: vault.softDeleteRetentionInDays,
      enableRbacAuthorization: vault.enableRbacAuthorization,
      accessPolicies: new Map(vault.accessPolicies.map((p) => [p.objectId.toLowerCase(), p])),
      keys: new Map(),
      deletedKeys: new Map(),
    };
    for (const key of vault.keys) state.keys.set(key.name.toLowerCase(), seedKey(key, now));
    this.vaultsByName.set(state.name, state);
    this.vaultsByHost.set(state.host, state);
    this.vaultsById.set(vault.id.toLowerCase(), state);
    const group = `${vault.subscriptionId}/${vault.resourceGroup}`.toLowerCase();
    this.resourceGroups.add(group);
    pushTo(this.vaultsBySubscription, vault.subscriptionId.toLowerCase(), state);
    pushTo(this.vaultsByResourceGroup, group, state);
  }

  private seedAccount(account: Scenario["accounts"][number]): void {
    const state: AccountState = {
      ...account,
      etag: this.nextEtag(),
      lastModified: this.clock(),
      tags: {},
      updates: 0,
    };
    const group = `${account.subscriptionId}/${account.resourceGroup}`.toLowerCase();
    this.resourceGroups.add(group);
    this.accountsById.set(account.id.toLowerCase(), state);
    pushTo(this.accountsBySubscription, account.subscriptionId.toLowerCase(), state);
    pushTo(this.accountsByResourceGroup, group, state);
  }

  private storeAssignment(assignment: ScenarioRoleAssignment): RoleAssignmentState {
    const stored: RoleAssignmentState = {
      ...assignment,
      id: `${assignment.scope}/providers/Microsoft.Authorization/roleAssignments/${assignment.name}`,
      createdOn: this.clock(),
    };
    this.roleAssignmentsByName.set(assignment.name.toLowerCase(), stored);
    pushTo(this.roleAssignmentsByPrincipal, assignment.principalId.toLowerCase(), stored);
    return stored;
  }

  /** A quoted ETag in the shape Batch sends (`"0x8D..."`), new for every change. */
  nextEtag(): string {
    this.etagCounter += 1;
    const serial = (0x2fae75f0000 + this.etagCounter).toString(16).toUpperCase();
    return `"0x8DC${serial.padStart(12, "0")}"`;
  }

  nowSeconds(): number {
    return toSeconds(this.clock());
  }

  /** Public key members of a version, computed once. */
  materialOf(vault: VaultState, key: KeyState, version: KeyVersionState): Record<string, string> {
    version.material ??= publicMaterial(
      version.kty,
      version.size,
      `${vault.name}/${key.name.toLowerCase()}/${version.version}`,
    );
    return version.material;
  }

  // ---- lookups that throw, for the mutation API ----

  vault(name: string): VaultState {
    const vault = this.vaultsByName.get(name.toLowerCase());
    if (vault === undefined) throw new Error(`stand-in: no vault named ${name}`);
    return vault;
  }

  private key(vaultName: string, keyName: string): KeyState {
    const key = this.vault(vaultName).keys.get(keyName.toLowerCase());
    if (key === undefined) throw new Error(`stand-in: no key ${keyName} in vault ${vaultName}`);
    return key;
  }

  private keyVersion(vaultName: string, keyName: string, version: string): KeyVersionState {
    const found = this.key(vaultName, keyName).versions.get(version.toLowerCase());
    if (found === undefined) {
      throw new Error(`stand-in: no version ${version} of key ${keyName} in vault ${vaultName}`);
    }
    return found;
  }

  private account(id: string): AccountState {
    const account = this.accountsById.get(normaliseScope(id));
    if (account === undefined) throw new Error(`stand-in: no Batch account ${id}`);
    return account;
  }

  // ---- mutation API ----

  /** Version ids of a key, oldest first (the last is current). */
  keyVersions(vault: string, key: string): string[] {
    return this.key(vault, key).ordered.map((v) => v.version);
  }

  disableKeyVersion(vault: string, key: string, version: string): void {
    this.setKeyVersionAttributes(vault, key, version, { enabled: false });
  }

  enableKeyVersion(vault: string, key: string, version: string): void {
    this.setKeyVersionAttributes(vault, key, version, { enabled: true });
  }

  /** Changes `enabled`, `nbf`, `exp` or `ops` of a version and stamps `updated`. */
  setKeyVersionAttributes(
    vault: string,
    key: string,
    version: string,
    attributes: KeyVersionAttributes,
  ): void {
    const state = this.keyVersion(vault, key, version);
    if (attributes.enabled !== undefined) state.enabled = attributes.enabled;
    if (attributes.nbf !== undefined)
      state.nbf = attributes.nbf ? toSeconds(attributes.nbf) : undefined;
    if (attributes.exp !== undefined)
      state.exp = attributes.exp ? toSeconds(attributes.exp) : undefined;
    if (attributes.ops !== undefined) state.ops = [...attributes.ops];
    state.updated = this.nowSeconds();
  }

  /**
   * Adds a new current version (creating the key if needed), shaped like the current one unless
   * told otherwise; returns its version id. Key Vault's rotate does the same.
   */
  addKeyVersion(vaultName: string, keyName: string, options: NewKeyVersion = {}): string {
    const vault = this.vault(vaultName);
    let key = vault.keys.get(keyName.toLowerCase());
    if (key === undefined) {
      key = { name: keyName, versions: new Map(), ordered: [] };
      vault.keys.set(keyName.toLowerCase(), key);
    }
    const current = key.ordered.at(-1);
    const now = this.nowSeconds();
    const version = options.version?.toLowerCase() ?? this.freshVersionId(vault, key);
    if (!/^[0-9a-f]{32}$/.test(version) || key.versions.has(version)) {
      throw new Error(`stand-in: version ${version} is not 32 hex characters or already exists`);
    }
    const state: KeyVersionState = {
      version,
      kty: options.kty ?? current?.kty ?? "RSA",
      size: options.size ?? current?.size ?? 2048,
      ops: [...(options.ops ?? current?.ops ?? defaultKeyOps)],
      enabled: options.enabled ?? true,
      nbf: options.nbf ? toSeconds(options.nbf) : undefined,
      exp: options.exp ? toSeconds(options.exp) : undefined,
      created: now,
      updated: now,
      material: undefined,
    };
    key.versions.set(version, state);
    key.ordered.push(state);
    return version;
  }

  private freshVersionId(vault: VaultState, key: KeyState): string {
    for (;;) {
      this.versionCounter += 1;
      const id = versionIdFrom(
        `${vault.name}/${key.name.toLowerCase()}/new/${this.versionCounter}`,
      );
      if (!key.versions.has(id)) return id;
    }
  }

  /**
   * Deletes a key as Key Vault does: with soft delete on it moves to the deleted keys until its
   * scheduled purge date; with soft delete off it is gone at once.
   */
  deleteKey(vaultName: string, keyName: string): void {
    const vault = this.vault(vaultName);
    const key = this.key(vaultName, keyName);
    vault.keys.delete(keyName.toLowerCase());
    if (!vault.enableSoftDelete) return;
    const now = this.nowSeconds();
    vault.deletedKeys.set(keyName.toLowerCase(), {
      key,
      deletedDate: now,
      scheduledPurgeDate: now + vault.softDeleteRetentionInDays * day,
    });
  }

  /** Removes a soft-deleted key for good; refused, as Key Vault does, under purge protection. */
  purgeKey(vaultName: string, keyName: string): void {
    const vault = this.vault(vaultName);
    if (!vault.deletedKeys.has(keyName.toLowerCase())) {
      throw new Error(`stand-in: no deleted key ${keyName} in vault ${vaultName}`);
    }
    if (vault.enablePurgeProtection) {
      throw new Error(`stand-in: vault ${vaultName} has purge protection; keys cannot be purged`);
    }
    vault.deletedKeys.delete(keyName.toLowerCase());
  }

  /** Brings a soft-deleted key back with all its versions. */
  recoverKey(vaultName: string, keyName: string): void {
    const vault = this.vault(vaultName);
    const deleted = vault.deletedKeys.get(keyName.toLowerCase());
    if (deleted === undefined)
      throw new Error(`stand-in: no deleted key ${keyName} in vault ${vaultName}`);
    vault.deletedKeys.delete(keyName.toLowerCase());
    vault.keys.set(keyName.toLowerCase(), deleted.key);
  }

  /** Adds or replaces the access policy of an object id with these key permissions. */
  setAccessPolicy(vaultName: string, objectId: string, keys: readonly string[]): void {
    const vault = this.vault(vaultName);
    vault.accessPolicies.set(objectId.toLowerCase(), {
      objectId: objectId.toLowerCase(),
      tenantId: this.scenario.tenantId,
      keys: [...keys],
    });
  }

  removeAccessPolicy(vaultName: string, objectId: string): void {
    if (!this.vault(vaultName).accessPolicies.delete(objectId.toLowerCase())) {
      throw new Error(`stand-in: vault ${vaultName} has no access policy for ${objectId}`);
    }
  }

  /** Flips vault properties. Purge protection cannot be turned off, as in Azure. */
  setVaultProperties(vaultName: string, properties: VaultProperties): void {
    const vault = this.vault(vaultName);
    if (properties.enablePurgeProtection === false && vault.enablePurgeProtection) {
      throw new Error(`stand-in: purge protection on vault ${vaultName} cannot be turned off`);
    }
    vault.enableSoftDelete = properties.enableSoftDelete ?? vault.enableSoftDelete;
    vault.enablePurgeProtection = properties.enablePurgeProtection ?? vault.enablePurgeProtection;
    vault.enableRbacAuthorization =
      properties.enableRbacAuthorization ?? vault.enableRbacAuthorization;
    vault.softDeleteRetentionInDays =
      properties.softDeleteRetentionInDays ?? vault.softDeleteRetentionInDays;
  }

  /** Assigns a role (GUID or full role definition id) at a scope; returns the assignment's id. */
  addRoleAssignment(assignment: {
    readonly principalId: string;
    readonly scope: string;
    readonly roleDefinitionId: string;
    readonly name?: string;
  }): string {
    const roleDefinitionId = (assignment.roleDefinitionId.split("/").pop() ?? "").toLowerCase();
    const scope = assignment.scope.replace(/\/+$/, "");
    const seed = `${assignment.principalId}|${scope.toLowerCase()}|${roleDefinitionId}`;
    const name = (assignment.name ?? guidFromHex(versionIdFrom(seed))).toLowerCase();
    if (this.roleAssignmentsByName.has(name)) {
      throw new Error(`stand-in: role assignment ${name} already exists`);
    }
    const principalId = assignment.principalId.toLowerCase();
    return this.storeAssignment({ name, principalId, scope, roleDefinitionId }).id;
  }

  /** Removes a role assignment by its name (GUID) or full id. */
  removeRoleAssignment(idOrName: string): void {
    const name = (idOrName.split("/").pop() ?? "").toLowerCase();
    const stored = this.roleAssignmentsByName.get(name);
    if (stored === undefined) throw new Error(`stand-in: no role assignment ${idOrName}`);
    this.roleAssignmentsByName.delete(name);
    const list = this.roleAssignmentsByPrincipal.get(stored.principalId.toLowerCase()) ?? [];
    list.splice(list.indexOf(stored), 1);
  }

  /** Points an account at a key out of band (no checks), as a person in the portal might. */
  setAccountKeyIdentifier(accountId: string, keyIdentifier: string | undefined): void {
    const account = this.account(accountId);
    account.keyIdentifier = keyIdentifier;
    account.keySource = keyIdentifier === undefined ? "Microsoft.Batch" : "Microsoft.KeyVault";
    this.touch(account);
  }

  setAccountProvisioningState(accountId: string, state: ProvisioningState): void {
    const account = this.account(accountId);
    account.provisioningState = state;
    this.touch(account);
  }

  /** New ETag and modification time after a change. */
  touch(account: AccountState): void {
    account.etag = this.nextEtag();
    account.lastModified = this.clock();
    account.updates += 1;
  }

  /** What the stand-in holds for an account, or undefined when there is no such account. */
  getAccount(accountId: string): AccountSnapshot | undefined {
    const account = this.accountsById.get(normaliseScope(accountId));
    if (account === undefined) return undefined;
    return {
      id: account.id,
      keySource: account.keySource,
      keyIdentifier: account.keyIdentifier,
      provisioningState: account.provisioningState,
      etag: account.etag,
      lastModified: account.lastModified,
      tags: { ...account.tags },
      updates: account.updates,
    };
  }
}

function seedKey(key: ScenarioKey, now: number): KeyState {
  const state: KeyState = { name: key.name, versions: new Map(), ordered: [] };
  key.versions.forEach((v, i) => {
    // Undated versions sit a day apart, the newest a day before the clock.
    const created = v.created ? toSeconds(v.created) : now - (key.versions.length - i) * day;
    const version: KeyVersionState = {
      version: v.version,
      kty: v.kty,
      size: v.size,
      ops: [...v.ops],
      enabled: v.enabled,
      nbf: v.nbf ? toSeconds(v.nbf) : undefined,
      exp: v.exp ? toSeconds(v.exp) : undefined,
      created,
      updated: created,
      material: undefined,
    };
    state.versions.set(v.version, version);
    state.ordered.push(version);
  });
  return state;
}
