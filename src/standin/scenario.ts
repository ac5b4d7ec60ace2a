/**
 * The scenario a stand-in starts from: one cloud, its subscriptions, vaults with keys and versions,
 * role assignments and Batch accounts. `docs/scenario.md` describes the JSON with an example.
 */
import { cloudEndpoints, clouds, type Cloud } from "./clouds";
import {
  ecSizes,
  isRsa,
  keyTypes,
  defaultKeyOps,
  rsaSizes,
  versionIdFrom,
  type KeyType,
} from "./keyMaterial";
import {
  fail,
  readArray,
  readBoolean,
  readChoice,
  readInteger,
  readObject,
  readOptionalDate,
  readOptionalString,
  readString,
  readStringList,
  refuseUnknownFields,
  ScenarioError,
  type Json,
} from "./scenarioFields";

export { ScenarioError } from "./scenarioFields";

export interface Scenario {
  readonly cloud: Cloud;
  readonly tenantId: string;
  readonly subscriptions: readonly ScenarioSubscription[];
  readonly vaults: readonly ScenarioVault[];
  readonly roleDefinitions: readonly ScenarioRoleDefinition[];
  readonly roleAssignments: readonly ScenarioRoleAssignment[];
  readonly accounts: readonly ScenarioAccount[];
}

export interface ScenarioSubscription {
  readonly id: string;
  /** Resource groups that exist even when empty; groups holding resources exist anyway. */
  readonly resourceGroups: readonly string[];
}

export interface ScenarioVault {
  readonly name: string;
  readonly id: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly location: string;
  readonly enableSoftDelete: boolean;
  readonly enablePurgeProtection: boolean;
  readonly softDeleteRetentionInDays: number;
  readonly enableRbacAuthorization: boolean;
  readonly accessPolicies: readonly ScenarioAccessPolicy[];
  readonly keys: readonly ScenarioKey[];
}

export interface ScenarioAccessPolicy {
  readonly objectId: string;
  readonly tenantId: string;
  /** Key permissions as the vault lists them, e.g. `get`, `wrapKey`, `unwrapKey`. */
  readonly keys: readonly string[];
}

export interface ScenarioKey {
  readonly name: string;
  readonly kty: KeyType;
  readonly size: number;
  readonly ops: readonly string[];
  /** Oldest first; the last one is the key's current version. */
  readonly versions: readonly ScenarioKeyVersion[];
}

export interface ScenarioKeyVersion {
  readonly version: string;
  readonly kty: KeyType;
  readonly size: number;
  readonly ops: readonly string[];
  readonly enabled: boolean;
  readonly nbf: Date | undefined;
  readonly exp: Date | undefined;
  /** Undefined means "one day apart, ending a day before the stand-in's clock". */
  readonly created: Date | undefined;
}

export interface ScenarioRoleDefinition {
  /** The role's GUID. */
  readonly id: string;
  readonly roleName: string;
  readonly actions: readonly string[];
  readonly dataActions: readonly string[];
  readonly notDataActions: readonly string[];
}

export interface ScenarioRoleAssignment {
  /** The assignment's GUID name. */
  readonly name: string;
  readonly principalId: string;
  readonly scope: string;
  /** The role definition's GUID. */
  readonly roleDefinitionId: string;
}

export type ScenarioIdentity =
  | { readonly type: "None" }
  | { readonly type: "SystemAssigned"; readonly principalId: string; readonly tenantId: string }
  | {
      readonly type: "UserAssigned";
      readonly userAssignedIdentities: Readonly<Record<string, UserAssignedIdentity>>;
    };

export interface UserAssignedIdentity {
  readonly principalId: string;
  readonly clientId: string;
}

export type KeySource = "Microsoft.KeyVault" | "Microsoft.Batch";

export type ProvisioningState =
  "Invalid" | "Creating" | "Deleting" | "Succeeded" | "Failed" | "Cancelled";

const provisioningStates: readonly ProvisioningState[] = [
  "Invalid",
  "Creating",
  "Deleting",
  "Succeeded",
  "Failed",
  "Cancelled",
];

export interface ScenarioAccount {
  readonly id: string;
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
  readonly location: string;
  readonly identity: ScenarioIdentity;
  readonly keySource: KeySource;
  readonly keyIdentifier: string | undefined;
  readonly provisioningState: ProvisioningState;
}

const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const versionPattern = /^[0-9a-f]{32}$/i;

/**
 * Validates a parsed scenario file and fills in its defaults. Throws a `ScenarioError` whose
 * message starts with the path of the bad field, e.g. `vaults[0].keys[1].size: expected ...`.
 */
export function loadScenario(json: unknown): Scenario {
  const root = readObject(json, "scenario");
  refuseUnknownFields(root, "scenario", [
    "cloud",
    "tenantId",
    "subscriptions",
    "vaults",
    "roleDefinitions",
    "roleAssignments",
    "accounts",
  ]);
  const cloud = root.cloud === undefined ? "public" : readChoice(root.cloud, "cloud", clouds);
  const tenantId = readGuid(root.tenantId, "tenantId");

  const subscriptions = readArray(root.subscriptions, "subscriptions").map((s, i) =>
    readSubscription(s, `subscriptions[${i}]`),
  );
  const knownSubscriptions = new Set(subscriptions.map((s) => s.id.toLowerCase()));
  const requireSubscription = (id: string, path: string): void => {
    if (!knownSubscriptions.has(id.toLowerCase()))
      fail(path, "a subscription listed in subscriptions", id);
  };

  const vaults = readArray(root.vaults, "vaults").map((v, i) =>
    readVault(v, `vaults[${i}]`, tenantId, requireSubscription),
  );
  refuseDuplicates(
    vaults.map((v) => v.name),
    "vaults",
    "name",
  );

  const roleDefinitions = readArray(root.roleDefinitions, "roleDefinitions").map((d, i) =>
    readRoleDefinition(d, `roleDefinitions[${i}]`),
  );
  const roleAssignments = readArray(root.roleAssignments, "roleAssignments").map((a, i) =>
    readRoleAssignment(a, `roleAssignments[${i}]`),
  );

  const vaultSuffix = cloudEndpoints[cloud].vaultSuffix;
  const accounts = readArray(root.accounts, "accounts").map((a, i) =>
    readAccount(a, `accounts[${i}]`, { tenantId, vaults, vaultSuffix, requireSubscription }),
  );
  refuseDuplicates(
    accounts.map((a) => a.id),
    "accounts",
    "id",
  );

  return { cloud, tenantId, subscriptions, vaults, roleDefinitions, roleAssignments, accounts };
}

function readGuid(value: unknown, path: string): string {
  const text = readString(value, path);
  if (!guidPattern.test(text)) fail(path, "a GUID", text);
  return text.toLowerCase();
}

function refuseDuplicates(values: readonly string[], path: string, field: string): void {
  const seen = new Set<string>();
  values.forEach((value, i) => {
    if (seen.has(value.toLowerCase())) {
      throw new ScenarioError(`${path}[${i}].${field}: ${JSON.stringify(value)} appears twice`);
    }
    seen.add(value.toLowerCase());
  });
}

function readSubscription(value: unknown, path: string): ScenarioSubscription {
  if (typeof value === "string") return { id: readGuid(value, path), resourceGroups: [] };
  const json = readObject(value, path);
  refuseUnknownFields(json, path, ["id", "resourceGroups"]);
  return {
    id: readGuid(json.id, `${path}.id`),
    resourceGroups: readStringList(json.resourceGroups, `${path}.resourceGroups`),
  };
}

function readVault(
  value: unknown,
  path: string,
  tenantId: string,
  requireSubscription: (id: string, path: string) => void,
): ScenarioVault {
  const json = readObject(value, path);
  refuseUnknownFields(json, path, [
    "name",
    "subscriptionId",
    "resourceGroup",
    "location",
    "enableSoftDelete",
    "enablePurgeProtection",
    "softDeleteRetentionInDays",
    "enableRbacAuthorization",
    "accessPolicies",
    "keys",
  ]);
  const name = readString(json.name, `${path}.name`);
  if (!/^[a-z][a-z0-9-]{1,22}[a-z0-9]$/i.test(name)) {
    fail(`${path}.name`, "3-24 letters, digits or dashes, starting with a letter", name);
  }
  const subscriptionId = readGuid(json.subscriptionId, `${path}.subscriptionId`);
  requireSubscription(subscriptionId, `${path}.subscriptionId`);
  const resourceGroup = readString(json.resourceGroup, `${path}.resourceGroup`);

  const retentionPath = `${path}.softDeleteRetentionInDays`;
  const retention =
    json.softDeleteRetentionInDays === undefined
      ? 90
      : readInteger(json.softDeleteRetentionInDays, retentionPath);
  if (retention < 7 || retention > 90) fail(retentionPath, "7 to 90 days", retention);

  const keys = readArray(json.keys, `${path}.keys`).map((k, i) =>
    readKey(k, `${path}.keys[${i}]`, name),
  );
  refuseDuplicates(
    keys.map((k) => k.name),
    `${path}.keys`,
    "name",
  );

  return {
    name,
    id: `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.KeyVault/vaults/${name}`,
    subscriptionId,
    resourceGroup,
    location: readOptionalString(json.location, `${path}.location`) ?? "eastus",
    // Defaults describe a vault Batch accepts; say `false` to model one it does not.
    enableSoftDelete: readBoolean(json.enableSoftDelete, `${path}.enableSoftDelete`, true),
    enablePurgeProtection: readBoolean(
      json.enablePurgeProtection,
      `${path}.enablePurgeProtection`,
      true,
    ),
    softDeleteRetentionInDays: retention,
    enableRbacAuthorization: readBoolean(
      json.enableRbacAuthorization,
      `${path}.enableRbacAuthorization`,
      false,
    ),
    accessPolicies: readArray(json.accessPolicies, `${path}.accessPolicies`).map((p, i) =>
      readAccessPolicy(p, `${path}.accessPolicies[${i}]`, tenantId),
    ),
    keys,
  };
}

function readAccessPolicy(value: unknown, path: string, tenantId: string): ScenarioAccessPolicy {
  const json = readObject(value, path);
  refuseUnknownFields(json, path, ["objectId", "tenantId", "keys"]);
  return {
    objectId: readGuid(json.objectId, `${path}.objectId`),
    tenantId: json.tenantId === undefined ? tenantId : readGuid(json.tenantId, `${path}.tenantId`),
    keys: readStringList(json.keys, `${path}.keys`),
  };
}

interface KeyShape {
  readonly kty: KeyType;
  readonly size: number;
  readonly ops: readonly string[];
}

function readKeyShape(json: Json, path: string, fallback: KeyShape): KeyShape {
  const kty = json.kty === undefined ? fallback.kty : readChoice(json.kty, `${path}.kty`, keyTypes);
  const sizes = isRsa(kty) ? rsaSizes : ecSizes;
  const defaultSize = kty === fallback.kty ? fallback.size : isRsa(kty) ? 2048 : 256;
  const size = json.size === undefined ? defaultSize : readChoice(json.size, `${path}.size`, sizes);
  if (!sizes.includes(size)) fail(`${path}.size`, `one of ${sizes.join(", ")} for ${kty}`, size);
  const ops = json.ops === undefined ? fallback.ops : readStringList(json.ops, `${path}.ops`);
  return { kty, size, ops };
}

function readKey(value: unknown, path: string, vaultName: string): ScenarioKey {
  const json = readObject(value, path);
  refuseUnknownFields(json, path, ["name", "kty", "size", "ops", "versions"]);
  const name = readString(json.name, `${path}.name`);
  if (!/^[a-z0-9-]{1,127}$/i.test(name))
    fail(`${path}.name`, "1-127 letters, digits or dashes", name);
  const shape = readKeyShape(json, path, { kty: "RSA", size: 2048, ops: defaultKeyOps });

  const rawVersions =
    json.versions === undefined ? [{}] : readArray(json.versions, `${path}.versions`);
  if (rawVersions.length === 0) fail(`${path}.versions`, "at least one version", rawVersions);
  const versions = rawVersions.map((v, i) => {
    const versionPath = `${path}.versions[${i}]`;
    const version = readObject(v, versionPath);
    refuseUnknownFields(version, versionPath, [
      "version",
      "kty",
      "size",
      "ops",
      "enabled",
      "nbf",
      "exp",
      "created",
    ]);
    const id =
      version.version === undefined
        ? versionIdFrom(`${vaultName.toLowerCase()}/${name.toLowerCase()}/${i}`)
        : readString(version.version, `${versionPath}.version`);
    if (!versionPattern.test(id)) fail(`${versionPath}.version`, "32 hexadecimal characters", id);
    return {
      version: id.toLowerCase(),
      ...readKeyShape(version, versionPath, shape),
      enabled: readBoolean(version.enabled, `${versionPath}.enabled`, true),
      nbf: readOptionalDate(version.nbf, `${versionPath}.nbf`),
      exp: readOptionalDate(version.exp, `${versionPath}.exp`),
      created: readOptionalDate(version.created, `${versionPath}.created`),
    };
  });
  refuseDuplicates(
    versions.map((v) => v.version),
    `${path}.versions`,
    "version",
  );
  return { name, ...shape, versions };
}

function readRoleDefinition(value: unknown, path: string): ScenarioRoleDefinition {
  const json = readObject(value, path);
  refuseUnknownFields(json, path, ["id", "roleName", "actions", "dataActions", "notDataActions"]);
  return {
    id: readGuid(json.id, `${path}.id`),
    roleName: readString(json.roleName, `${path}.roleName`),
    actions: readStringList(json.actions, `${path}.actions`),
    dataActions: readStringList(json.dataActions, `${path}.dataActions`),
    notDataActions: readStringList(json.notDataActions, `${path}.notDataActions`),
  };
}

function readRoleAssignment(value: unknown, path: string): ScenarioRoleAssignment {
  const json = readObject(value, path);
  refuseUnknownFields(json, path, ["name", "principalId", "scope", "roleDefinitionId"]);
  const principalId = readGuid(json.principalId, `${path}.principalId`);
  const scope = readString(json.scope, `${path}.scope`);
  if (!scope.startsWith("/")) fail(`${path}.scope`, "an ARM scope starting with /", scope);
  // A full role definition id ends in the GUID; keep only that.
  const roleText = readString(json.roleDefinitionId, `${path}.roleDefinitionId`);
  const roleDefinitionId = readGuid(roleText.split("/").pop(), `${path}.roleDefinitionId`);
  const generated = versionIdFrom(`${principalId}|${scope.toLowerCase()}|${roleDefinitionId}`);
  const name =
    json.name === undefined ? guidFromHex(generated) : readGuid(json.name, `${path}.name`);
  return { name, principalId, scope: scope.replace(/\/+$/, ""), roleDefinitionId };
}

/** Formats 32 hex characters as a GUID. */
export function guidFromHex(hex: string): string {
  return [
    hex.slice(0, 8),
    hex.slice(8, 12),
    hex.slice(12, 16),
    hex.slice(16, 20),
    hex.slice(20, 32),
  ].join("-");
}

interface AccountContext {
  readonly tenantId: string;
  readonly vaults: readonly ScenarioVault[];
  readonly vaultSuffix: string;
  readonly requireSubscription: (id: string, path: string) => void;
}

function readAccount(value: unknown, path: string, context: AccountContext): ScenarioAccount {
  const json = readObject(value, path);
  refuseUnknownFields(json, path, [
    "subscriptionId",
    "resourceGroup",
    "name",
    "location",
    "identity",
    "keySource",
    "keyIdentifier",
    "key",
    "provisioningState",
  ]);
  const subscriptionId = readGuid(json.subscriptionId, `${path}.subscriptionId`);
  context.requireSubscription(subscriptionId, `${path}.subscriptionId`);
  const resourceGroup = readString(json.resourceGroup, `${path}.resourceGroup`);
  const name = readString(json.name, `${path}.name`);
  if (!/^[a-z0-9]{3,24}$/.test(name))
    fail(`${path}.name`, "3-24 lower-case letters or digits", name);

  if (json.keyIdentifier !== undefined && json.key !== undefined) {
    throw new ScenarioError(`${path}: give keyIdentifier or key, not both`);
  }
  const keyIdentifier =
    json.key === undefined
      ? readOptionalString(json.keyIdentifier, `${path}.keyIdentifier`)
      : resolveKeyReference(json.key, `${path}.key`, context);
  const defaultSource: KeySource =
    keyIdentifier === undefined ? "Microsoft.Batch" : "Microsoft.KeyVault";
  const keySource =
    json.keySource === undefined
      ? defaultSource
      : readChoice(json.keySource, `${path}.keySource`, [
          "Microsoft.KeyVault",
          "Microsoft.Batch",
        ] as const);
  if (keySource === "Microsoft.KeyVault" && keyIdentifier === undefined) {
    fail(
      `${path}.keyIdentifier`,
      "a key identifier when keySource is Microsoft.KeyVault",
      undefined,
    );
  }

  return {
    id: `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Batch/batchAccounts/${name}`,
    subscriptionId,
    resourceGroup,
    name,
    location: readOptionalString(json.location, `${path}.location`) ?? "eastus",
    identity: readIdentity(json.identity, `${path}.identity`, context.tenantId),
    keySource,
    keyIdentifier,
    provisioningState:
      json.provisioningState === undefined
        ? "Succeeded"
        : readChoice(json.provisioningState, `${path}.provisioningState`, provisioningStates),
  };
}

function readIdentity(value: unknown, path: string, tenantId: string): ScenarioIdentity {
  if (value === undefined) return { type: "None" };
  const json = readObject(value, path);
  const type = readChoice(json.type, `${path}.type`, [
    "None",
    "SystemAssigned",
    "UserAssigned",
  ] as const);
  if (type === "None") return { type };
  if (type === "SystemAssigned") {
    refuseUnknownFields(json, path, ["type", "principalId", "tenantId"]);
    return {
      type,
      principalId: readGuid(json.principalId, `${path}.principalId`),
      tenantId:
        json.tenantId === undefined ? tenantId : readGuid(json.tenantId, `${path}.tenantId`),
    };
  }
  refuseUnknownFields(json, path, ["type", "userAssignedIdentities"]);
  const mapPath = `${path}.userAssignedIdentities`;
  const entries = Object.entries(readObject(json.userAssignedIdentities, mapPath));
  if (entries.length === 0) fail(mapPath, "at least one identity", {});
  const identities: Record<string, UserAssignedIdentity> = {};
  for (const [resourceId, raw] of entries) {
    const entryPath = `${mapPath}[${JSON.stringify(resourceId)}]`;
    const entry = readObject(raw, entryPath);
    refuseUnknownFields(entry, entryPath, ["principalId", "clientId"]);
    identities[resourceId] = {
      principalId: readGuid(entry.principalId, `${entryPath}.principalId`),
      clientId: readGuid(entry.clientId, `${entryPath}.clientId`),
    };
  }
  return { type, userAssignedIdentities: identities };
}

/** `{ vault, name, version? }` to a key URL; `version` indexes the key's versions (-1 = newest). */
function resolveKeyReference(value: unknown, path: string, context: AccountContext): string {
  const json = readObject(value, path);
  refuseUnknownFields(json, path, ["vault", "name", "version"]);
  const vaultName = readString(json.vault, `${path}.vault`);
  const vault = context.vaults.find((v) => v.name.toLowerCase() === vaultName.toLowerCase());
  if (vault === undefined) fail(`${path}.vault`, "the name of a vault in vaults", vaultName);
  const keyName = readString(json.name, `${path}.name`);
  const key = vault.keys.find((k) => k.name.toLowerCase() === keyName.toLowerCase());
  if (key === undefined) fail(`${path}.name`, `the name of a key in vault ${vault.name}`, keyName);

  const base = `https://${vault.name.toLowerCase()}.${context.vaultSuffix}/keys/${key.name}`;
  if (json.version === undefined) return base;
  const index = readInteger(json.version, `${path}.version`);
  const version = key.versions.at(index);
  if (version === undefined) {
    fail(
      `${path}.version`,
      `an index into the ${key.versions.length} versions of ${key.name}`,
      index,
    );
  }
  return `${base}/${version.version}`;
}
