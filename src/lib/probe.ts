/**
 * The revocation probe: gathers facts per CMK account, each read shared across the run, runs the
 * checks, and hands what it saw to the alerts. One account's failure never stops the others.
 */
import type { AlertManager, CheckObservation, Observation } from "./alerts";
import {
  type AccountFacts,
  type AccountStatus,
  type CheckResult,
  type Finding,
  type IdentityFact,
  type KeyFact,
  type NewerVersionFact,
  type VaultFact,
  AccountOnStaleVersion,
  ProbeCouldNotSee,
  keyVersionAttributeProblems,
  keyVersionProblems,
  runChecks,
  statusOf,
} from "./checks";
import type { Settings } from "./config";
import { classifyError, type Failure } from "./errors";
import { type KeyId, keyRef, parseKeyId, toKeyId } from "./keyId";
import type { Logger } from "./log";
import type { BatchAccount, KeyVersion, KeyVersionProperties, RoleGrants, Vault } from "./model";
import type { AzurePorts } from "./azure/ports";
import { mapLimit } from "./pool";

export type ProbeSettings = Pick<
  Settings,
  "cloud" | "subscriptionIds" | "expiryWarningDays" | "maxConcurrency" | "reconcile"
>;

export interface ProbeInput {
  /** CMK accounts from list pages; accounts with platform-managed keys are skipped. */
  readonly accounts: Iterable<BatchAccount> | AsyncIterable<BatchAccount>;
  readonly ports: Pick<AzurePorts, "keyVault" | "vaults" | "roles">;
  readonly settings: ProbeSettings;
  readonly now: Date;
  readonly log: Logger;
  readonly alerts?: Pick<AlertManager, "observe">;
  /**
   * Moves an account to a newer usable version; called only when `settings.reconcile` is on.
   * Resolves true when the account now uses that version (false for a dry run or a refusal).
   */
  readonly onStaleVersion?: (account: BatchAccount, newestUsableKid: string) => Promise<boolean>;
}

export interface AccountProbeResult {
  readonly accountId: string;
  readonly keyIdentifier: string | undefined;
  readonly findings: Finding[];
  readonly status: AccountStatus;
  /** Set when the account pins an older version while this newer usable one exists. */
  readonly newestUsableKid: string | undefined;
}

/** How many times each Azure read ran in one probe run. */
export interface ProbeCalls {
  getKeyVersion: number;
  listKeyVersions: number;
  getDeletedKey: number;
  listVaults: number;
  grantsFor: number;
}

export interface ProbeReport {
  readonly results: AccountProbeResult[];
  /** Accounts with platform-managed keys, not probed. */
  readonly skipped: number;
  readonly calls: ProbeCalls;
  /** Set when listing the accounts failed part way; the accounts seen before were probed. */
  readonly discoveryFailure: string | undefined;
}

/** Probes every CMK account, at most `settings.maxConcurrency` at once. */
export async function probeAccounts(input: ProbeInput): Promise<ProbeReport> {
  const { settings, log } = input;
  const reads = new RunReads(input.ports);
  let skipped = 0;
  let discoveryFailure: string | undefined;

  const accounts = untilFailure(input.accounts, (error) => {
    discoveryFailure = classifyError(error).summary;
    log.error("listing Batch accounts failed; only the accounts listed so far were probed", {
      error: discoveryFailure,
    });
  });

  const settled = await mapLimit(accounts, settings.maxConcurrency, async (account) => {
    if (account.keySource?.toLowerCase() !== "microsoft.keyvault") {
      skipped++;
      return undefined;
    }
    return probeAccount(account, reads, input);
  });

  // probeAccount settles every account itself, so only skipped accounts are left out here.
  const results = settled.flatMap((outcome) =>
    outcome.status === "fulfilled" && outcome.value ? [outcome.value] : [],
  );
  return { results, skipped, calls: { ...reads.calls }, discoveryFailure };
}

interface Evaluated {
  readonly result: AccountProbeResult;
  /** Every check's outcome; undefined when the account could not be probed at all. */
  readonly checkResults: CheckResult[] | undefined;
  readonly keyId: KeyId | undefined;
}

async function probeAccount(
  account: BatchAccount,
  reads: RunReads,
  input: ProbeInput,
): Promise<AccountProbeResult> {
  const evaluated = await evaluate(account, reads, input).catch((error: unknown) =>
    unprobeable(account, error, input.log),
  );
  // An account the probe has just moved is judged on the version it now carries, so nothing is
  // raised about the version it left.
  const moved = await reconcile(account, evaluated.result, input);
  const movedTo = evaluated.result.newestUsableKid;
  const { result, checkResults, keyId } =
    moved && movedTo !== undefined
      ? await evaluate({ ...account, keyIdentifier: movedTo }, reads, input).catch(
          (error: unknown) => unprobeable(account, error, input.log),
        )
      : evaluated;

  const fields = {
    accountId: account.id,
    status: result.status,
    checks: result.findings.map((finding) => finding.check).join(",") || undefined,
  };
  if (result.status === "healthy") input.log.debug("probed account", fields);
  else input.log.info("probed account", fields);

  await recordAlerts(account, keyId, result, checkResults, input);
  return result;
}

async function evaluate(
  account: BatchAccount,
  reads: RunReads,
  { settings, now }: ProbeInput,
): Promise<Evaluated> {
  const facts = await gatherFacts(account, reads, settings, now);
  const checkResults = runChecks(facts, { now, expiryWarningDays: settings.expiryWarningDays });
  const findings = checkResults.flatMap((entry) =>
    entry.outcome === "failed" ? [entry.finding] : [],
  );
  return {
    result: {
      accountId: account.id,
      keyIdentifier: account.keyIdentifier,
      findings,
      status: statusOf(findings),
      newestUsableKid: facts.newerVersion.state === "found" ? facts.newerVersion.kid : undefined,
    },
    checkResults,
    keyId: facts.keyId.state === "parsed" ? facts.keyId.keyId : undefined,
  };
}

/** A bug in gathering, not an Azure answer: the account is unknown, never healthy. */
function unprobeable(account: BatchAccount, error: unknown, log: Logger): Evaluated {
  const summary = classifyError(error).summary;
  log.error("probing an account failed unexpectedly", { accountId: account.id, error: summary });
  const finding: Finding = {
    check: ProbeCouldNotSee,
    severity: "unknown",
    message: `probe failed: ${summary}`,
    remedy: "Read the function log for this account's probe error.",
  };
  return {
    result: {
      accountId: account.id,
      keyIdentifier: account.keyIdentifier,
      findings: [finding],
      status: "unknown",
      newestUsableKid: undefined,
    },
    checkResults: undefined,
    keyId: undefined,
  };
}

/** Moves a stale account when reconcile is on; true when it now uses the newer version. */
async function reconcile(
  account: BatchAccount,
  result: AccountProbeResult,
  input: ProbeInput,
): Promise<boolean> {
  if (!input.settings.reconcile || !input.onStaleVersion || !result.newestUsableKid) return false;
  try {
    return await input.onStaleVersion(account, result.newestUsableKid);
  } catch (error) {
    // The rotation path reports its own refusals and failures through the alerts.
    input.log.warn("moving an account off a stale key version failed", {
      accountId: account.id,
      check: AccountOnStaleVersion,
      error: classifyError(error).summary,
    });
    return false;
  }
}

async function recordAlerts(
  account: BatchAccount,
  keyId: KeyId | undefined,
  result: AccountProbeResult,
  checkResults: CheckResult[] | undefined,
  input: ProbeInput,
): Promise<void> {
  if (!input.alerts) return;
  const observations: CheckObservation[] = checkResults
    ? checkResults.map((entry) => ({ check: entry.check, observation: toObservation(entry) }))
    : result.findings.map((finding) => ({
        check: finding.check,
        observation: { kind: "failing", finding },
      }));
  const target = {
    accountId: account.id,
    vault: keyId?.vaultName,
    keyName: keyId?.name,
    version: keyId?.version,
  };
  try {
    await input.alerts.observe(target, observations, input.now);
  } catch (error) {
    input.log.error("alert state could not be updated for an account", {
      accountId: account.id,
      error: classifyError(error).summary,
    });
  }
}

function toObservation(entry: CheckResult): Observation {
  if (entry.outcome === "failed") return { kind: "failing", finding: entry.finding };
  return entry.outcome === "passed" ? { kind: "passing" } : { kind: "unknown" };
}

// ---------------------------------------------------------------------------------------------
// Gathering facts.

async function gatherFacts(
  account: BatchAccount,
  reads: RunReads,
  settings: ProbeSettings,
  now: Date,
): Promise<AccountFacts> {
  const identities = candidateIdentities(account);
  let keyId: KeyId;
  try {
    keyId = parseKeyId(account.keyIdentifier, { cloud: settings.cloud });
  } catch (error) {
    return {
      account,
      keyId: { state: "invalid", problem: error instanceof Error ? error.message : String(error) },
      key: { state: "not-read" },
      vault: { state: "not-read" },
      identities: identities.map((identity) => ({ ...identity, grants: { state: "not-read" } })),
      newerVersion: { state: "not-read" },
    };
  }

  const [key, vault] = await Promise.all([
    readKey(reads, keyId),
    findVault(reads, keyId.vaultUrl, [account.subscriptionId, ...settings.subscriptionIds]),
  ]);
  const [identityFacts, newerVersion] = await Promise.all([
    readGrants(reads, identities, vault, keyId),
    readNewerVersion(reads, keyId, key, now),
  ]);
  return {
    account,
    keyId: { state: "parsed", keyId },
    key,
    vault,
    identities: identityFacts,
    newerVersion,
  };
}

async function readKey(reads: RunReads, keyId: KeyId): Promise<KeyFact> {
  let failure: Failure;
  try {
    return { state: "found", version: await reads.keyVersion(keyId) };
  } catch (error) {
    failure = classifyError(error);
  }
  if (failure.kind === "not-found") return readDeletedKey(reads, keyId);
  if (failure.kind !== "forbidden") return { state: "unseen", summary: failure.summary };

  // Key Vault may answer 403 for a disabled version rather than 200 with enabled: false; the
  // version list shows `enabled` either way, and fails too when the 403 is about us.
  try {
    const versions = await reads.keyVersions(keyId);
    const entry =
      keyId.version === undefined
        ? newestFirst(versions)[0]
        : versions.find((version) => version.version.toLowerCase() === keyId.version);
    if (entry !== undefined && !entry.enabled) return { state: "disabled", properties: entry };
  } catch {
    // The list failing as well leaves the first answer standing.
  }
  return { state: "unseen", summary: failure.summary };
}

async function readDeletedKey(reads: RunReads, keyId: KeyId): Promise<KeyFact> {
  try {
    const deleted = await reads.deletedKey(keyId);
    if (deleted === undefined) return { state: "not-found", deletedUnseen: undefined };
    return { state: "soft-deleted", scheduledPurgeDate: deleted.scheduledPurgeDate };
  } catch (error) {
    const failure = classifyError(error);
    if (failure.kind === "not-found") return { state: "not-found", deletedUnseen: undefined };
    return { state: "not-found", deletedUnseen: failure.summary };
  }
}

async function findVault(
  reads: RunReads,
  vaultUrl: string,
  subscriptionIds: readonly string[],
): Promise<VaultFact> {
  const subscriptions = [...new Set(subscriptionIds.map((id) => id.toLowerCase()))];
  const failures: string[] = [];
  for (const subscriptionId of subscriptions) {
    try {
      const vault = (await reads.vaults(subscriptionId)).find(
        (candidate) => canonicalVaultUrl(candidate.vaultUrl) === vaultUrl,
      );
      if (vault) return { state: "found", vault };
    } catch (error) {
      failures.push(`listing vaults of ${subscriptionId}: ${classifyError(error).summary}`);
    }
  }
  const summary =
    failures.length > 0
      ? failures.join("; ")
      : `${vaultUrl} is not among the vaults of subscriptions ${subscriptions.join(", ")}`;
  return { state: "unseen", summary };
}

function canonicalVaultUrl(url: string): string {
  return url.trim().toLowerCase().replace(/\/+$/, "").replace(/:443$/, "");
}

interface CandidateIdentity {
  readonly principalId: string;
  readonly source: string;
}

/**
 * NOTE: the account's `encryption.keyVaultProperties` has no identity selector in the public
 * Batch API, so every identity of the account is a candidate for the one Batch uses.
 */
function candidateIdentities(account: BatchAccount): CandidateIdentity[] {
  const { identity } = account;
  if (identity.type.toLowerCase() === "none") return [];
  const candidates: CandidateIdentity[] = [];
  if (identity.principalId) {
    candidates.push({ principalId: identity.principalId, source: "system-assigned" });
  }
  for (const assigned of identity.userAssigned) {
    if (assigned.principalId) {
      candidates.push({ principalId: assigned.principalId, source: assigned.resourceId });
    }
  }
  const seen = new Set<string>();
  return candidates.filter((candidate) => {
    const key = candidate.principalId.toLowerCase();
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

async function readGrants(
  reads: RunReads,
  identities: readonly CandidateIdentity[],
  vault: VaultFact,
  keyId: KeyId,
): Promise<IdentityFact[]> {
  if (vault.state !== "found" || !vault.vault.enableRbacAuthorization) {
    return identities.map((identity) => ({ ...identity, grants: { state: "not-read" } }));
  }
  // Roles may be assigned on the key itself, so ask at the key's scope, which covers the vault's.
  const scope = `${vault.vault.id}/keys/${keyId.name}`;
  return Promise.all(
    identities.map(async (identity): Promise<IdentityFact> => {
      try {
        const grants = await reads.grants(scope, identity.principalId);
        return { ...identity, grants: { state: "found", grants } };
      } catch (error) {
        return { ...identity, grants: { state: "unseen", summary: classifyError(error).summary } };
      }
    }),
  );
}

/** The newest version newer than the pinned one that Batch could use, for a versioned account. */
async function readNewerVersion(
  reads: RunReads,
  keyId: KeyId,
  key: KeyFact,
  now: Date,
): Promise<NewerVersionFact> {
  if (keyId.version === undefined) return { state: "none" };
  const pinned =
    key.state === "found" ? key.version : key.state === "disabled" ? key.properties : undefined;
  if (pinned === undefined) return { state: "not-read" };
  const pinnedOn = pinned.createdOn;
  if (pinnedOn === undefined) return { state: "none" };

  let versions: KeyVersionProperties[];
  try {
    versions = await reads.keyVersions(keyId);
  } catch (error) {
    return { state: "unseen", summary: classifyError(error).summary };
  }
  const candidates = newestFirst(versions).filter(
    (version) =>
      version.createdOn !== undefined &&
      version.createdOn > pinnedOn &&
      keyVersionAttributeProblems(version, now).length === 0,
  );
  for (const candidate of candidates) {
    const candidateId = toKeyId(
      keyId.vaultUrl,
      keyId.vaultName,
      keyId.name,
      candidate.version.toLowerCase(),
    );
    try {
      const full = await reads.keyVersion(candidateId);
      if (keyVersionProblems(full, now).length === 0) {
        return { state: "found", kid: candidateId.kid };
      }
    } catch (error) {
      return { state: "unseen", summary: classifyError(error).summary };
    }
  }
  return { state: "none" };
}

function newestFirst<T extends Pick<KeyVersionProperties, "createdOn">>(
  versions: readonly T[],
): T[] {
  return [...versions].sort(
    (a, b) => (b.createdOn?.getTime() ?? 0) - (a.createdOn?.getTime() ?? 0),
  );
}

/** Ends an account list that fails part way, reporting the error once instead of throwing. */
async function* untilFailure<T>(
  items: Iterable<T> | AsyncIterable<T>,
  onError: (error: unknown) => void,
): AsyncGenerator<T> {
  try {
    for await (const item of items) yield item;
  } catch (error) {
    onError(error);
  }
}

// ---------------------------------------------------------------------------------------------
// Reads shared across one run: each distinct read is one promise, whoever asks and whenever.

class RunReads {
  readonly calls: ProbeCalls = {
    getKeyVersion: 0,
    listKeyVersions: 0,
    getDeletedKey: 0,
    listVaults: 0,
    grantsFor: 0,
  };
  private readonly memo = new Map<string, Promise<unknown>>();

  constructor(private readonly ports: ProbeInput["ports"]) {}

  keyVersion(keyId: KeyId): Promise<KeyVersion> {
    return this.once("getKeyVersion", keyId.kid.toLowerCase(), () =>
      this.ports.keyVault.getKeyVersion(keyId.vaultUrl, keyId.name, keyId.version),
    );
  }

  keyVersions(keyId: KeyId): Promise<KeyVersionProperties[]> {
    return this.once("listKeyVersions", keyRef(keyId), () =>
      this.ports.keyVault.listKeyVersions(keyId.vaultUrl, keyId.name),
    );
  }

  deletedKey(keyId: KeyId): ReturnType<ProbeInput["ports"]["keyVault"]["getDeletedKey"]> {
    return this.once("getDeletedKey", keyRef(keyId), () =>
      this.ports.keyVault.getDeletedKey(keyId.vaultUrl, keyId.name),
    );
  }

  vaults(subscriptionId: string): Promise<Vault[]> {
    return this.once("listVaults", subscriptionId.toLowerCase(), async () => {
      const vaults: Vault[] = [];
      for await (const vault of this.ports.vaults.listVaults(subscriptionId)) vaults.push(vault);
      return vaults;
    });
  }

  grants(scope: string, principalId: string): Promise<RoleGrants> {
    const key = `${scope.toLowerCase()} ${principalId.toLowerCase()}`;
    return this.once("grantsFor", key, () => this.ports.roles.grantsFor(scope, principalId));
  }

  private once<T>(kind: keyof ProbeCalls, key: string, read: () => Promise<T>): Promise<T> {
    const memoKey = `${kind} ${key}`;
    const known = this.memo.get(memoKey);
    if (known) return known as Promise<T>;
    this.calls[kind]++;
    const promise = Promise.resolve().then(read);
    // Every caller awaits this; the empty handler only keeps a failed read from being reported
    // as unhandled before the first caller attaches.
    promise.catch(() => undefined);
    this.memo.set(memoKey, promise);
    return promise;
  }
}
