/**
 * The checks that tell whether a Batch account can still reach its customer-managed key. Each is a
 * pure function of facts the probe gathered and of `now`, named for the problem it finds; the
 * reason constants below are the words logs, alerts and tests share.
 */
import type { KeyId } from "./keyId";
import type {
  BatchAccount,
  KeyVersion,
  KeyVersionProperties,
  RoleGrant,
  RoleGrants,
  Vault,
} from "./model";

export type Severity = "critical" | "warning" | "unknown";

// Reasons the probe finds.
export const KeyIdentifierInvalid = "KeyIdentifierInvalid";
export const KeyNotFound = "KeyNotFound";
export const KeySoftDeleted = "KeySoftDeleted";
export const KeyVersionDisabled = "KeyVersionDisabled";
export const KeyVersionExpired = "KeyVersionExpired";
export const KeyVersionNotYetValid = "KeyVersionNotYetValid";
export const KeyOperationsMissing = "KeyOperationsMissing";
export const KeyTypeUnsupported = "KeyTypeUnsupported";
export const IdentityMissing = "IdentityMissing";
export const IdentityLacksKeyPermissions = "IdentityLacksKeyPermissions";
export const AccountProvisioningFailed = "AccountProvisioningFailed";
export const KeyVersionExpiringSoon = "KeyVersionExpiringSoon";
export const VaultSoftDeleteOff = "VaultSoftDeleteOff";
export const VaultPurgeProtectionOff = "VaultPurgeProtectionOff";
export const AccountOnStaleVersion = "AccountOnStaleVersion";
export const ProbeCouldNotSee = "ProbeCouldNotSee";

// Reasons the rotation path reports through the same alerts.
export const RotationRefusedUnusableVersion = "RotationRefusedUnusableVersion";
export const RotationPatchFailed = "RotationPatchFailed";
export const AccountOnExpiredKey = "AccountOnExpiredKey";
export const RotationKeyUnreadable = "RotationKeyUnreadable";
export const KeyNearExpiryNotRotated = "KeyNearExpiryNotRotated";

export type ProbeReason =
  | typeof KeyIdentifierInvalid
  | typeof KeyNotFound
  | typeof KeySoftDeleted
  | typeof KeyVersionDisabled
  | typeof KeyVersionExpired
  | typeof KeyVersionNotYetValid
  | typeof KeyOperationsMissing
  | typeof KeyTypeUnsupported
  | typeof IdentityMissing
  | typeof IdentityLacksKeyPermissions
  | typeof AccountProvisioningFailed
  | typeof KeyVersionExpiringSoon
  | typeof VaultSoftDeleteOff
  | typeof VaultPurgeProtectionOff
  | typeof AccountOnStaleVersion
  | typeof ProbeCouldNotSee;

export type RotationReason =
  | typeof RotationRefusedUnusableVersion
  | typeof RotationPatchFailed
  | typeof AccountOnExpiredKey
  | typeof RotationKeyUnreadable
  | typeof KeyNearExpiryNotRotated;

export type Reason = ProbeReason | RotationReason;

/** A problem found on an account, with what an operator should do about it. */
export interface Finding {
  readonly check: Reason;
  readonly severity: Severity;
  readonly message: string;
  readonly remedy: string;
}

/** Why a key version cannot serve Batch; see `keyVersionProblems`. */
export type KeyVersionReason =
  | typeof KeyVersionDisabled
  | typeof KeyVersionNotYetValid
  | typeof KeyVersionExpired
  | typeof KeyTypeUnsupported
  | typeof KeyOperationsMissing;

export interface KeyVersionProblem {
  readonly check: KeyVersionReason;
  readonly message: string;
}

// ---------------------------------------------------------------------------------------------
// Facts the probe gathers for one account. `unseen` always carries a summary safe to log.

export type KeyFact =
  | { readonly state: "found"; readonly version: KeyVersion }
  /** GET answered 403 and the version list shows the version disabled. */
  | { readonly state: "disabled"; readonly properties: KeyVersionProperties }
  | { readonly state: "soft-deleted"; readonly scheduledPurgeDate: Date | undefined }
  /** `deletedUnseen` says why the deleted-keys lookup could not answer, when it could not. */
  | { readonly state: "not-found"; readonly deletedUnseen: string | undefined }
  | { readonly state: "unseen"; readonly summary: string }
  /** The key identifier did not parse, so there was nothing to read. */
  | { readonly state: "not-read" };

export type VaultFact =
  | { readonly state: "found"; readonly vault: Vault }
  | { readonly state: "unseen"; readonly summary: string }
  | { readonly state: "not-read" };

export interface IdentityFact {
  readonly principalId: string;
  /** `system-assigned`, or the user-assigned identity's resource id. */
  readonly source: string;
  /** Role grants on the key; read only for RBAC vaults. */
  readonly grants:
    | { readonly state: "found"; readonly grants: RoleGrants }
    | { readonly state: "unseen"; readonly summary: string }
    | { readonly state: "not-read" };
}

export type NewerVersionFact =
  /** The newest version, newer than the pinned one, that passes `keyVersionProblems`. */
  | { readonly state: "found"; readonly kid: string }
  /** Nothing newer and usable, or the account is versionless and follows the key itself. */
  | { readonly state: "none" }
  | { readonly state: "unseen"; readonly summary: string }
  /** The pinned version was not seen, so there is nothing to compare with. */
  | { readonly state: "not-read" };

export interface AccountFacts {
  readonly account: BatchAccount;
  readonly keyId:
    | { readonly state: "parsed"; readonly keyId: KeyId }
    | { readonly state: "invalid"; readonly problem: string };
  readonly key: KeyFact;
  readonly vault: VaultFact;
  readonly identities: readonly IdentityFact[];
  readonly newerVersion: NewerVersionFact;
}

export interface CheckContext {
  readonly now: Date;
  /** Warn when the version expires within this many days; 0 turns the warning off. */
  readonly expiryWarningDays: number;
}

/** A check could not be judged from these facts (missing or not applicable): leave alerts be. */
export const NotEvaluated = "not-evaluated";
export const Passed = "passed";

type Detected = { readonly message: string; readonly remedy: string };
type Detection = Detected | typeof Passed | typeof NotEvaluated;

export interface CheckDefinition {
  readonly check: ProbeReason;
  readonly severity: Severity;
  readonly detect: (facts: AccountFacts, context: CheckContext) => Detection;
}

export type CheckResult =
  | { readonly check: ProbeReason; readonly outcome: "failed"; readonly finding: Finding }
  | { readonly check: ProbeReason; readonly outcome: typeof Passed | typeof NotEvaluated };

// ---------------------------------------------------------------------------------------------
// Whether a key version can serve Batch. Rotation reuses this to refuse unusable versions.

const batchKeyTypes = ["RSA", "RSA-HSM"];
const batchKeySizes = [2048, 3072, 4096];
const batchKeyOps = ["wrapKey", "unwrapKey"];

type VersionAttributes = Pick<KeyVersion, "enabled" | "notBefore" | "expiresOn">;

function versionDisabled(version: VersionAttributes): KeyVersionProblem | undefined {
  if (version.enabled) return undefined;
  return { check: KeyVersionDisabled, message: "key version is disabled" };
}

function versionNotYetValid(version: VersionAttributes, now: Date): KeyVersionProblem | undefined {
  if (version.notBefore === undefined || version.notBefore <= now) return undefined;
  return {
    check: KeyVersionNotYetValid,
    message: `key version is not valid until ${version.notBefore.toISOString()}`,
  };
}

function versionExpired(version: VersionAttributes, now: Date): KeyVersionProblem | undefined {
  if (version.expiresOn === undefined || version.expiresOn > now) return undefined;
  return {
    check: KeyVersionExpired,
    message: `key version expired on ${version.expiresOn.toISOString()}`,
  };
}

function versionTypeUnsupported(version: KeyVersion): KeyVersionProblem | undefined {
  const type = version.keyType?.toUpperCase();
  if (type === undefined || !batchKeyTypes.includes(type)) {
    return {
      check: KeyTypeUnsupported,
      message: `key type is ${version.keyType ?? "unknown"}; Batch needs RSA or RSA-HSM`,
    };
  }
  if (version.keySize === undefined || !batchKeySizes.includes(version.keySize)) {
    return {
      check: KeyTypeUnsupported,
      message: `key size is ${version.keySize ?? "unknown"} bits; Batch needs 2048, 3072 or 4096`,
    };
  }
  return undefined;
}

function versionOperationsMissing(version: KeyVersion): KeyVersionProblem | undefined {
  const allowed = (version.keyOps ?? []).map((op) => op.toLowerCase());
  const missing = batchKeyOps.filter((op) => !allowed.includes(op.toLowerCase()));
  if (missing.length === 0) return undefined;
  return {
    check: KeyOperationsMissing,
    message: `key operations do not permit ${missing.join(", ")}`,
  };
}

/**
 * Everything that keeps a key version from serving Batch: disabled, outside its validity window,
 * not RSA of 2048/3072/4096 bits, or not permitting wrapKey and unwrapKey. Empty means usable.
 * An unknown type, size or operation list counts as a problem, so nothing unproven is used.
 */
export function keyVersionProblems(version: KeyVersion, now: Date): KeyVersionProblem[] {
  return [
    versionDisabled(version),
    versionNotYetValid(version, now),
    versionExpired(version, now),
    versionTypeUnsupported(version),
    versionOperationsMissing(version),
  ].filter((problem): problem is KeyVersionProblem => problem !== undefined);
}

/** The same rules over list attributes only (no type or operations): a cheap first filter. */
export function keyVersionAttributeProblems(
  version: VersionAttributes,
  now: Date,
): KeyVersionProblem[] {
  return [
    versionDisabled(version),
    versionNotYetValid(version, now),
    versionExpired(version, now),
  ].filter((problem): problem is KeyVersionProblem => problem !== undefined);
}

// ---------------------------------------------------------------------------------------------
// Key permissions an identity needs, through access policies or role assignments.

export type KeyPermission = "get" | "wrapKey" | "unwrapKey";

const keyPermissions: readonly KeyPermission[] = ["get", "wrapKey", "unwrapKey"];

export const keyDataActions: Readonly<Record<KeyPermission, string>> = {
  get: "Microsoft.KeyVault/vaults/keys/read",
  wrapKey: "Microsoft.KeyVault/vaults/keys/wrap/action",
  unwrapKey: "Microsoft.KeyVault/vaults/keys/unwrap/action",
};

/** Key permissions the vault's access policies do not give the principal. */
export function missingFromAccessPolicies(vault: Vault, principalId: string): KeyPermission[] {
  const granted = new Set(
    vault.accessPolicies
      .filter((policy) => policy.objectId.toLowerCase() === principalId.toLowerCase())
      .flatMap((policy) => policy.keys.map((permission) => permission.toLowerCase())),
  );
  if (granted.has("all")) return [];
  return keyPermissions.filter((permission) => !granted.has(permission.toLowerCase()));
}

/**
 * Key permissions no assigned role gives. A role gives an action when one of its dataActions
 * matches and none of its own notDataActions does; another role's notDataActions do not take it
 * away, as Azure evaluates each role assignment on its own.
 */
export function missingFromRoleGrants(grants: RoleGrants): KeyPermission[] {
  return keyPermissions.filter(
    (permission) => !grants.roles.some((role) => roleGives(role, keyDataActions[permission])),
  );
}

function roleGives(role: RoleGrant, action: string): boolean {
  return (
    role.dataActions.some((pattern) => actionMatches(pattern, action)) &&
    !role.notDataActions.some((pattern) => actionMatches(pattern, action))
  );
}

/** Role actions compare case-insensitively, and `*` stands for any run of characters. */
function actionMatches(pattern: string, action: string): boolean {
  const source = pattern
    .split("*")
    .map((part) => part.replace(/[.+?^${}()|[\]\\/]/g, "\\$&"))
    .join(".*");
  return new RegExp(`^${source}$`, "i").test(action);
}

// ---------------------------------------------------------------------------------------------
// The checks, one per problem.

function pinnedKid(facts: AccountFacts): string {
  return facts.keyId.state === "parsed"
    ? facts.keyId.keyId.kid
    : (facts.account.keyIdentifier ?? "(none)");
}

/** Attributes of the key version in use, when they were seen. */
function seenAttributes(facts: AccountFacts): KeyVersionProperties | undefined {
  if (facts.key.state === "found") return facts.key.version;
  if (facts.key.state === "disabled") return facts.key.properties;
  return undefined;
}

function fromVersionRule(
  facts: AccountFacts,
  problem: KeyVersionProblem | undefined,
  remedy: string,
): Detection {
  if (problem === undefined) return Passed;
  return { message: `${pinnedKid(facts)}: ${problem.message}`, remedy };
}

function keyIdentifierInvalid(facts: AccountFacts): Detection {
  if (facts.keyId.state === "parsed") return Passed;
  return {
    message:
      `key identifier '${facts.account.keyIdentifier ?? ""}' is unusable: ` + facts.keyId.problem,
    remedy: "Set the account's keyIdentifier to a Key Vault key URL of this cloud.",
  };
}

function keyNotFound(facts: AccountFacts): Detection {
  if (facts.key.state === "unseen" || facts.key.state === "not-read") return NotEvaluated;
  if (facts.key.state !== "not-found") return Passed;
  if (facts.key.deletedUnseen !== undefined) {
    return {
      message:
        `${pinnedKid(facts)} is not found; could not tell whether it is soft-deleted ` +
        `(${facts.key.deletedUnseen})`,
      remedy:
        "Look for the key in the vault's deleted keys and recover it, or pin an existing key.",
    };
  }
  return {
    message: `${pinnedKid(facts)} is not found and is not among the vault's deleted keys`,
    remedy: "The key is gone: point the account at an existing usable key version.",
  };
}

function keySoftDeleted(facts: AccountFacts): Detection {
  if (facts.key.state === "unseen" || facts.key.state === "not-read") return NotEvaluated;
  if (facts.key.state !== "soft-deleted") return Passed;
  const purge = facts.key.scheduledPurgeDate?.toISOString() ?? "an unknown date";
  return {
    message: `${pinnedKid(facts)} is soft-deleted and recoverable until ${purge}`,
    remedy: "Recover the deleted key (az keyvault key recover) before its purge date.",
  };
}

function keyVersionDisabled(facts: AccountFacts): Detection {
  const attributes = seenAttributes(facts);
  if (attributes === undefined) return NotEvaluated;
  return fromVersionRule(
    facts,
    versionDisabled(attributes),
    "Re-enable the key version, or move the account to a usable version.",
  );
}

function keyVersionExpired(facts: AccountFacts, { now }: CheckContext): Detection {
  const attributes = seenAttributes(facts);
  if (attributes === undefined) return NotEvaluated;
  return fromVersionRule(
    facts,
    versionExpired(attributes, now),
    "Move the account to a newer usable version (rotate the key if there is none).",
  );
}

function keyVersionNotYetValid(facts: AccountFacts, { now }: CheckContext): Detection {
  const attributes = seenAttributes(facts);
  if (attributes === undefined) return NotEvaluated;
  return fromVersionRule(
    facts,
    versionNotYetValid(attributes, now),
    "Clear the version's activation date, or pin a version that is already valid.",
  );
}

function keyOperationsMissing(facts: AccountFacts): Detection {
  if (facts.key.state !== "found") return NotEvaluated;
  return fromVersionRule(
    facts,
    versionOperationsMissing(facts.key.version),
    "Permit wrapKey and unwrapKey on the key version, or pin a version that does.",
  );
}

function keyTypeUnsupported(facts: AccountFacts): Detection {
  if (facts.key.state !== "found") return NotEvaluated;
  return fromVersionRule(
    facts,
    versionTypeUnsupported(facts.key.version),
    "Create an RSA key of 2048, 3072 or 4096 bits and move the account to it.",
  );
}

function identityMissing(facts: AccountFacts): Detection {
  if (facts.identities.length > 0) return Passed;
  return {
    message: `account has no system- or user-assigned identity to reach ${pinnedKid(facts)}`,
    remedy:
      "Give the account a managed identity and grant it Get, Wrap Key and Unwrap Key on the key.",
  };
}

function identityLacksKeyPermissions(facts: AccountFacts): Detection {
  if (facts.identities.length === 0 || facts.vault.state !== "found") return NotEvaluated;
  const vault = facts.vault.vault;
  const missing = facts.identities.map((identity) => {
    if (!vault.enableRbacAuthorization) {
      return { identity, missing: missingFromAccessPolicies(vault, identity.principalId) };
    }
    if (identity.grants.state !== "found") return { identity, missing: undefined };
    return { identity, missing: missingFromRoleGrants(identity.grants.grants) };
  });

  // NOTE: Batch's keyVaultProperties names no identity in the public API, so any one of the
  // account's identities holding all three permissions is taken to be the one Batch uses.
  if (missing.some((entry) => entry.missing?.length === 0)) return Passed;
  if (missing.some((entry) => entry.missing === undefined)) return NotEvaluated;

  const gaps = missing
    .map(({ identity, missing: lacks }) => {
      const who = identity.source === "system-assigned" ? "system-assigned identity" : "identity";
      return `${who} ${identity.principalId} lacks ${(lacks ?? []).join(", ")}`;
    })
    .join("; ");
  return {
    message: `${gaps} on ${pinnedKid(facts)}`,
    remedy: vault.enableRbacAuthorization
      ? "Assign the identity a role with keys read, wrap and unwrap (Key Vault Crypto Service " +
        "Encryption User) on the key or vault."
      : "Add a vault access policy giving the identity Get, Wrap Key and Unwrap Key on keys.",
  };
}

function accountProvisioningFailed(facts: AccountFacts): Detection {
  if (facts.account.provisioningState?.toLowerCase() !== "failed") return Passed;
  return {
    message: `account provisioningState is Failed`,
    remedy:
      "Read the account's activity log, fix key access, then re-apply its encryption settings.",
  };
}

function keyVersionExpiringSoon(facts: AccountFacts, context: CheckContext): Detection {
  const attributes = seenAttributes(facts);
  if (attributes === undefined) return NotEvaluated;
  const { expiresOn } = attributes;
  const horizon = context.now.getTime() + context.expiryWarningDays * 86_400_000;
  if (expiresOn === undefined || expiresOn <= context.now || expiresOn.getTime() > horizon) {
    return Passed;
  }
  return {
    message: `${pinnedKid(facts)} expires on ${expiresOn.toISOString()}`,
    remedy: `Create a new key version and move the account to it before ${expiresOn.toISOString()}`,
  };
}

function vaultSoftDeleteOff(facts: AccountFacts): Detection {
  if (facts.vault.state !== "found") return NotEvaluated;
  if (facts.vault.vault.enableSoftDelete) return Passed;
  return {
    message: `vault ${facts.vault.vault.name} has soft delete off`,
    remedy: "Turn on soft delete for the vault; Batch customer-managed keys require it.",
  };
}

function vaultPurgeProtectionOff(facts: AccountFacts): Detection {
  if (facts.vault.state !== "found") return NotEvaluated;
  if (facts.vault.vault.enablePurgeProtection) return Passed;
  return {
    message: `vault ${facts.vault.vault.name} has purge protection off`,
    remedy:
      "Turn on purge protection " +
      `(az keyvault update --name ${facts.vault.vault.name} --enable-purge-protection true).`,
  };
}

function accountOnStaleVersion(facts: AccountFacts): Detection {
  if (facts.newerVersion.state === "none") return Passed;
  if (facts.newerVersion.state !== "found") return NotEvaluated;
  return {
    message: `${pinnedKid(facts)} is pinned; newer usable ${facts.newerVersion.kid} exists`,
    remedy:
      `Move the account to ${facts.newerVersion.kid} ` +
      "(the probe does this itself when BATCH_CMK_RECONCILE is on).",
  };
}

/** What the probe could not read, for the one unknown finding per account. */
export function unseenSummaries(facts: AccountFacts): string[] {
  const summaries: string[] = [];
  if (facts.key.state === "unseen") summaries.push(`key: ${facts.key.summary}`);
  if (facts.vault.state === "unseen") summaries.push(`vault: ${facts.vault.summary}`);
  for (const identity of facts.identities) {
    if (identity.grants.state === "unseen") {
      summaries.push(`role grants of ${identity.principalId}: ${identity.grants.summary}`);
    }
  }
  if (facts.newerVersion.state === "unseen") {
    summaries.push(`newer versions: ${facts.newerVersion.summary}`);
  }
  return summaries;
}

function probeCouldNotSee(facts: AccountFacts): Detection {
  const summaries = unseenSummaries(facts);
  if (summaries.length === 0) return Passed;
  return {
    message: `could not see ${summaries.join("; ")}`,
    remedy:
      "Check the guard's own access to the key, vault and role assignments, and that " +
      "Key Vault and ARM are reachable.",
  };
}

/** The probe: every check, in the order findings are reported. */
export const probeChecks: readonly CheckDefinition[] = [
  { check: KeyIdentifierInvalid, severity: "critical", detect: keyIdentifierInvalid },
  { check: KeyNotFound, severity: "critical", detect: keyNotFound },
  { check: KeySoftDeleted, severity: "critical", detect: keySoftDeleted },
  { check: KeyVersionDisabled, severity: "critical", detect: keyVersionDisabled },
  { check: KeyVersionExpired, severity: "critical", detect: keyVersionExpired },
  { check: KeyVersionNotYetValid, severity: "critical", detect: keyVersionNotYetValid },
  { check: KeyOperationsMissing, severity: "critical", detect: keyOperationsMissing },
  { check: KeyTypeUnsupported, severity: "critical", detect: keyTypeUnsupported },
  { check: IdentityMissing, severity: "critical", detect: identityMissing },
  { check: IdentityLacksKeyPermissions, severity: "critical", detect: identityLacksKeyPermissions },
  { check: AccountProvisioningFailed, severity: "critical", detect: accountProvisioningFailed },
  { check: KeyVersionExpiringSoon, severity: "warning", detect: keyVersionExpiringSoon },
  { check: VaultSoftDeleteOff, severity: "warning", detect: vaultSoftDeleteOff },
  { check: VaultPurgeProtectionOff, severity: "warning", detect: vaultPurgeProtectionOff },
  { check: AccountOnStaleVersion, severity: "warning", detect: accountOnStaleVersion },
  { check: ProbeCouldNotSee, severity: "unknown", detect: probeCouldNotSee },
];

export const probeReasons: readonly ProbeReason[] = probeChecks.map((entry) => entry.check);

/** Runs every check over one account's facts. */
export function runChecks(
  facts: AccountFacts,
  context: CheckContext,
  checks: readonly CheckDefinition[] = probeChecks,
): CheckResult[] {
  return checks.map(({ check, severity, detect }): CheckResult => {
    const detection = detect(facts, context);
    if (detection === Passed || detection === NotEvaluated) return { check, outcome: detection };
    return { check, outcome: "failed", finding: { check, severity, ...detection } };
  });
}

export type AccountStatus = "healthy" | "warning" | "critical" | "unknown";

/**
 * One word for an account. A critical finding wins, since it was seen; otherwise anything unseen
 * makes the account unknown, which is never healthy and never lost.
 */
export function statusOf(findings: readonly Finding[]): AccountStatus {
  const severities = new Set(findings.map((finding) => finding.severity));
  if (severities.has("critical")) return "critical";
  if (severities.has("unknown")) return "unknown";
  if (severities.has("warning")) return "warning";
  return "healthy";
}

// ---------------------------------------------------------------------------------------------
// Findings the rotation path reports through the same alerts.

export function rotationRefusedUnusableVersion(kid: string, problems: readonly string[]): Finding {
  return {
    check: RotationRefusedUnusableVersion,
    severity: "warning",
    message: `refused to move to ${kid}: ${problems.join("; ")}`,
    remedy: "Create a usable key version (enabled, RSA 2048/3072/4096, wrapKey and unwrapKey).",
  };
}

export function rotationPatchFailed(kid: string, summary: string): Finding {
  return {
    check: RotationPatchFailed,
    severity: "warning",
    message: `PATCH of the account to ${kid} failed: ${summary}`,
    remedy:
      "A 400 means the Batch account's own identity cannot use the key (check IdentityLacksKeyPermissions); a 403 means the guard lacks write access on the account; conflicts, throttling and server errors are retried by redelivery.",
  };
}

/** `expiresOn` is the version's own expiry; when it is unknown the message names no date. */
export function accountOnExpiredKey(kid: string, expiresOn: Date | undefined): Finding {
  const when = expiresOn === undefined ? "" : ` on ${expiresOn.toISOString()}`;
  return {
    check: AccountOnExpiredKey,
    severity: "critical",
    message: `account is left on ${kid}, which expired${when}`,
    remedy: "Create a usable key version and move the account to it now.",
  };
}

/**
 * Key Vault refused to show the guard the key an event named. A redelivery would meet the same
 * refusal, so the event is not retried: someone must grant the access, then replay the event.
 */
export function rotationKeyUnreadable(kid: string, summary: string): Finding {
  return {
    check: RotationKeyUnreadable,
    severity: "warning",
    message: `could not read ${kid} to decide a rotation: ${summary}`,
    remedy:
      "Give the guard's identity Get and List on the vault's keys, then replay the event (batch-cmk-guard replay).",
  };
}

/**
 * Key Vault said a pinned version nears expiry and the guard did not move the account: the
 * near-expiry action is `alert`, or no newer usable version exists and none could be created.
 */
export function keyNearExpiryNotRotated(kid: string, expiresOn: Date | undefined): Finding {
  const when = expiresOn === undefined ? "soon" : `on ${expiresOn.toISOString()}`;
  return {
    check: KeyNearExpiryNotRotated,
    severity: "warning",
    message: `the account stays on ${kid}, which expires ${when}; no newer usable version exists`,
    remedy:
      "Create a new key version (az keyvault key rotate); the guard then moves the account to it.",
  };
}
