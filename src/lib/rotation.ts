/**
 * Rotation: what a Key Vault key event means for every Batch account that uses the key, and making
 * those changes once, validated, never backwards, and recorded in the ledger before and after.
 */
import type { AzurePorts } from "./azure/ports";
import type { Settings } from "./config";
import { type Discovery, usesCustomerManagedKey } from "./discovery";
import { type Failure, LedgerUnavailableError, classifyError } from "./errors";
import type { KeyEvent } from "./events";
import { type KeyId, keyRef, parseKeyId, sameKey } from "./keyId";
import type { createKeyedLock } from "./keyedLock";
import type { Ledger } from "./ledger";
import type { Logger } from "./log";
import { gatherKeyFacts, noKeyFacts } from "./keyFacts";
import type { BatchAccount } from "./model";
import { mapLimit } from "./pool";
import {
  type Decision,
  type KeyFacts,
  type RotationReason,
  decideRotation,
} from "./rotationDecisions";

export type AccountDecision = "changed" | "would-change" | "unchanged" | "refused" | "failed";

export interface AccountOutcome {
  readonly accountId: string;
  readonly decision: AccountDecision;
  readonly reason: RotationReason;
  readonly message: string;
  readonly from: string | undefined;
  readonly to: string | undefined;
  /** True when trying again later may succeed; the invocation then fails so Event Grid redelivers. */
  readonly retryable: boolean;
}

export interface KeyEventResult {
  readonly eventId: string;
  readonly eventType: string;
  readonly kid: string;
  readonly outcomes: AccountOutcome[];
  /** Accounts or subscriptions that could not be read at all. */
  readonly unreadable: Array<{ readonly id: string; readonly failure: Failure }>;
  readonly retryable: boolean;
}

/** Told of every refused or failed change, and of every change made, so alerts follow them. */
export interface RotationObserver {
  onOutcome(event: KeyEvent, outcome: AccountOutcome): Promise<void>;
}

export interface RotationDeps {
  readonly ports: Pick<AzurePorts, "batch" | "keyVault">;
  readonly ledger: Ledger;
  readonly settings: Pick<Settings, "cloud" | "dryRun" | "nearExpiryAction" | "maxConcurrency">;
  readonly log: Logger;
  readonly now: () => Date;
  /** Serialises work per account and per key within this process. */
  readonly lock: ReturnType<typeof createKeyedLock>;
  readonly discover: () => Promise<Discovery>;
  readonly observer?: RotationObserver;
  /**
   * Key facts of new-version events shared across calls, by key id: the probe's reconcile hands
   * each stale account to rotation alone, and one read of the key serves them all.
   */
  readonly keyFactsMemo?: Map<string, Promise<KeyFacts>>;
}

export async function handleKeyEvent(event: KeyEvent, deps: RotationDeps): Promise<KeyEventResult> {
  const { log } = deps;
  const discovery = await deps.discover();
  for (const { id, failure } of discovery.failures) {
    log.error(`could not read ${id}: ${failure.summary}`, { eventId: event.id });
  }

  const affected = affectedAccounts(discovery.accounts, event.key, deps.settings.cloud);
  const result = (outcomes: AccountOutcome[]): KeyEventResult => ({
    eventId: event.id,
    eventType: event.type,
    kid: event.key.kid,
    outcomes,
    unreadable: discovery.failures,
    retryable:
      outcomes.some((outcome) => outcome.retryable) ||
      discovery.failures.some(({ failure }) => failure.kind === "transient"),
  });
  if (affected.length === 0) {
    log.info("no watched account uses this key", {
      eventId: event.id,
      eventType: event.type,
      kid: event.key.kid,
    });
    return result([]);
  }

  // Versionless accounts need nothing from Key Vault: Batch follows new versions itself.
  let facts = noKeyFacts;
  let keyFailure: Failure | undefined;
  if (affected.some(({ current }) => current.version !== undefined)) {
    const gather = () =>
      deps.lock(`key:${keyRef(event.key)}`, () =>
        gatherKeyFacts(event, {
          ...deps,
          accountsOnEventVersion: affected.some(
            ({ current }) => current.version === event.key.version,
          ),
        }),
      );
    try {
      // Only a new version's facts are the same for every account: near expiry may rotate.
      const memo =
        event.type === "Microsoft.KeyVault.KeyNewVersionCreated" ? deps.keyFactsMemo : undefined;
      let shared = memo?.get(event.key.kid);
      if (memo !== undefined && shared === undefined) {
        shared = gather();
        memo.set(event.key.kid, shared);
      }
      facts = await (shared ?? gather());
    } catch (error) {
      keyFailure = classifyError(error);
    }
  }

  const settled = await mapLimit(
    affected,
    deps.settings.maxConcurrency,
    async ({ account, current }) => {
      if (keyFailure !== undefined && current.version !== undefined) {
        const message = `could not read the key: ${keyFailure.summary}`;
        return outcome(account, current, "failed", "KeyVaultUnavailable", message, {
          retryable: keyFailure.kind === "transient",
        });
      }
      return decideAndApply(event, account, current, facts, deps);
    },
  );
  const outcomes = settled.map((entry, index) => {
    if (entry.status === "fulfilled") return entry.value;
    // decideAndApply catches what it expects; anything else is a fault of ours, reported per account.
    const { account, current } = affected[index] ?? { account: undefined, current: undefined };
    const failure = classifyError(entry.reason);
    return outcome(
      account,
      current,
      "failed",
      "PatchFailed",
      `unexpected failure: ${failure.summary}`,
      {
        retryable: failure.kind === "transient",
      },
    );
  });
  return result(await report(event, outcomes, deps));
}

interface Affected {
  readonly account: BatchAccount;
  readonly current: KeyId;
}

function affectedAccounts(
  accounts: readonly BatchAccount[],
  key: KeyId,
  cloud: Settings["cloud"],
): Affected[] {
  const affected: Affected[] = [];
  for (const account of accounts) {
    if (!usesCustomerManagedKey(account)) continue;
    const current = tryParse(account.keyIdentifier, cloud);
    if (current !== undefined && sameKey(current, key)) affected.push({ account, current });
  }
  return affected;
}

function tryParse(keyIdentifier: string | undefined, cloud: Settings["cloud"]): KeyId | undefined {
  try {
    return parseKeyId(keyIdentifier, { cloud });
  } catch {
    return undefined;
  }
}

async function decideAndApply(
  event: KeyEvent,
  account: BatchAccount,
  current: KeyId,
  facts: KeyFacts,
  deps: RotationDeps,
): Promise<AccountOutcome> {
  const decide = (key: KeyId): Decision =>
    decideRotation({
      eventType: event.type,
      eventKey: event.key,
      current: key,
      facts,
      nearExpiryAction: deps.settings.nearExpiryAction,
      now: deps.now(),
    });

  const first = decide(current);
  if (first.action !== "move") {
    const settled = await settleCarriedChange(event, account, current, first, facts, deps);
    return settled ?? fromDecision(account, current, first);
  }
  if (deps.settings.dryRun)
    return outcome(account, current, "would-change", first.reason, first.message, { to: first.to });

  return deps.lock(`account:${account.id}`, async () => {
    // Another event may have moved the account since discovery: decide again on what ARM says now.
    let fresh: BatchAccount;
    try {
      fresh = await deps.ports.batch.getAccount(account.id);
    } catch (error) {
      const failure = classifyError(error);
      return outcome(
        account,
        current,
        "failed",
        "AccountUnreadable",
        `could not read the account: ${failure.summary}`,
        {
          retryable: failure.kind === "transient",
        },
      );
    }
    const freshKey = tryParse(fresh.keyIdentifier, deps.settings.cloud);
    if (!usesCustomerManagedKey(fresh) || freshKey === undefined || !sameKey(freshKey, event.key)) {
      return outcome(
        fresh,
        current,
        "unchanged",
        "NotOnEventVersion",
        "the account no longer uses this key",
      );
    }
    const decision = decide(freshKey);
    if (decision.action !== "move") return fromDecision(fresh, freshKey, decision);
    return applyMove(event, fresh, freshKey, decision, deps);
  });
}

/**
 * An account that already carries the version this event would move it to may have a ledger entry
 * still pending (or failed) from an earlier attempt whose completion was lost: the redelivery that
 * attempt asked for completes it here. Undefined when there is nothing to say beyond the decision.
 */
async function settleCarriedChange(
  event: KeyEvent,
  account: BatchAccount,
  current: KeyId,
  decision: Decision,
  facts: KeyFacts,
  deps: RotationDeps,
): Promise<AccountOutcome | undefined> {
  const carriesTarget =
    decision.reason === "AlreadyOnVersion" ||
    (event.type !== "Microsoft.KeyVault.KeyNewVersionCreated" &&
      current.version !== undefined &&
      current.version === facts.newestUsable?.version);
  if (!carriesTarget || deps.settings.dryRun || deps.ledger.settle === undefined) return undefined;
  try {
    const settled = await deps.ledger.settle(account.id, current.kid, deps.now());
    if (settled !== undefined) {
      deps.log.info("completed the ledger entry of a change the account already carries", {
        eventId: event.id,
        accountId: account.id,
        to: current.kid,
      });
    }
    return undefined;
  } catch (error) {
    const message =
      error instanceof LedgerUnavailableError ? error.message : classifyError(error).summary;
    return outcome(
      account,
      current,
      "failed",
      "LedgerUnavailable",
      `the ledger entry of this change could not be completed: ${message}`,
      { to: current.kid, retryable: true },
    );
  }
}

async function applyMove(
  event: KeyEvent,
  account: BatchAccount,
  current: KeyId,
  decision: Extract<Decision, { action: "move" }>,
  deps: RotationDeps,
): Promise<AccountOutcome> {
  const to = decision.to;
  let claim;
  try {
    claim = await deps.ledger.claim(
      {
        accountId: account.id,
        previousKeyIdentifier: account.keyIdentifier,
        newKeyIdentifier: to,
        eventId: event.id,
        eventType: event.type,
      },
      deps.now(),
    );
  } catch (error) {
    const message =
      error instanceof LedgerUnavailableError ? error.message : classifyError(error).summary;
    return outcome(
      account,
      current,
      "failed",
      "LedgerUnavailable",
      `change not made, it could not be recorded: ${message}`,
      {
        to,
        retryable: true,
      },
    );
  }
  if (claim.status === "already-applied") {
    return outcome(
      account,
      current,
      "unchanged",
      "ChangeAlreadyRecorded",
      "this change was already made for this event and recorded; a later undo stands until a new event",
      { to },
    );
  }
  if (claim.status === "in-progress") {
    return outcome(
      account,
      current,
      "failed",
      "ChangeInProgress",
      "another invocation is making this change",
      {
        to,
        retryable: true,
      },
    );
  }

  let patched: BatchAccount;
  try {
    patched = await deps.ports.batch.setKeyIdentifier(account.id, to);
  } catch (error) {
    const failure = classifyError(error);
    await completeQuietly(deps, claim.token, "failed", failure.summary);
    return outcome(account, current, "failed", "PatchFailed", `PATCH failed: ${failure.summary}`, {
      to,
      retryable: failure.kind === "transient" || failure.kind === "conflict",
    });
  }

  const confirmed = tryParse(patched.keyIdentifier, deps.settings.cloud)?.kid === to;
  if (!confirmed) {
    await completeQuietly(
      deps,
      claim.token,
      "failed",
      `account reports ${patched.keyIdentifier ?? "no key"}`,
    );
    return outcome(
      account,
      current,
      "failed",
      "PatchNotConfirmed",
      "the account ARM returned does not carry the new version",
      {
        to,
        retryable: true,
      },
    );
  }
  try {
    await deps.ledger.complete(claim.token, "applied", deps.now());
  } catch (error) {
    // The change is made and its claim (with the previous identifier) is recorded; only the
    // outcome is missing. Failing the invocation makes the redelivery finish the record.
    return outcome(
      account,
      current,
      "failed",
      "LedgerUnavailable",
      `changed, but the ledger entry stays pending: ${classifyError(error).summary}`,
      {
        to,
        retryable: true,
      },
    );
  }
  return outcome(account, current, "changed", decision.reason, decision.message, { to });
}

async function completeQuietly(
  deps: RotationDeps,
  token: Parameters<Ledger["complete"]>[0],
  outcomeName: "failed",
  detail: string,
): Promise<void> {
  try {
    await deps.ledger.complete(token, outcomeName, deps.now(), detail);
  } catch (error) {
    deps.log.warn(`could not record a failed change: ${classifyError(error).summary}`, {
      accountId: token.entry.accountId,
    });
  }
}

function fromDecision(account: BatchAccount, current: KeyId, decision: Decision): AccountOutcome {
  if (decision.action === "refuse")
    return outcome(account, current, "refused", decision.reason, decision.message);
  if (decision.action === "move")
    return outcome(account, current, "would-change", decision.reason, decision.message, {
      to: decision.to,
    });
  return outcome(account, current, "unchanged", decision.reason, decision.message);
}

function outcome(
  account: BatchAccount | undefined,
  current: KeyId | undefined,
  decision: AccountDecision,
  reason: RotationReason,
  message: string,
  extra: { to?: string; retryable?: boolean } = {},
): AccountOutcome {
  return {
    accountId: account?.id ?? "",
    decision,
    reason,
    message,
    from: current?.kid ?? account?.keyIdentifier,
    to: extra.to,
    retryable: extra.retryable ?? false,
  };
}

/** Logs each outcome at the level it deserves and tells the observer. */
async function report(
  event: KeyEvent,
  outcomes: AccountOutcome[],
  deps: RotationDeps,
): Promise<AccountOutcome[]> {
  for (const entry of outcomes) {
    const fields = {
      eventId: event.id,
      eventType: event.type,
      accountId: entry.accountId,
      reason: entry.reason,
      from: entry.from,
      to: entry.to,
    };
    const line = `${entry.decision}: ${entry.message}`;
    if (entry.decision === "refused" || entry.decision === "failed") deps.log.error(line, fields);
    else if (entry.decision === "unchanged") deps.log.debug(line, fields);
    else deps.log.info(line, fields);
  }
  if (deps.observer) {
    await mapLimit(outcomes, deps.settings.maxConcurrency, async (entry) => {
      try {
        await deps.observer?.onOutcome(event, entry);
      } catch (error) {
        deps.log.warn(`could not report an outcome to alerts: ${classifyError(error).summary}`, {
          accountId: entry.accountId,
        });
      }
    });
  }
  return outcomes;
}
