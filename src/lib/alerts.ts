/**
 * Alerts per (account, check): raised on failing probes, reminded while open, resolved when the
 * check passes. The state machine is a pure function; `AlertManager` keeps its state in a store
 * with optimistic concurrency and hands notifications to the sinks.
 */
import type { Finding, Reason, Severity } from "./checks";
import type { Settings } from "./config";
import type { Logger } from "./log";

export type AlertSettings = Pick<Settings, "alertAfterFailures" | "reminderIntervalMinutes">;

/** What one probe (or the rotation path) saw of one check. */
export type Observation =
  | { readonly kind: "failing"; readonly finding: Finding }
  | { readonly kind: "passing" }
  /** The check could not be judged: an open alert stays open and nothing new is raised. */
  | { readonly kind: "unknown" };

export type NotificationKind = "raised" | "reminded" | "resolved";

/** The part of an alert the state machine decides. */
export interface AlertState {
  /** `closed` with `consecutiveFailures > 0` is a failure streak still below the threshold. */
  readonly status: "open" | "closed";
  readonly severity: Severity;
  readonly message: string;
  readonly remedy: string;
  readonly consecutiveFailures: number;
  /** Start of the current failure streak. */
  readonly firstFailedOn: Date | undefined;
  readonly lastFailedOn: Date | undefined;
  readonly raisedOn: Date | undefined;
  readonly lastNotifiedOn: Date | undefined;
  readonly resolvedOn: Date | undefined;
}

/** Identifiers an alert is about; never anything secret. */
export interface AlertTarget {
  readonly accountId: string;
  /** Vault name. */
  readonly vault?: string | undefined;
  readonly keyName?: string | undefined;
  readonly version?: string | undefined;
}

/** A stored alert: its state and the identifiers it is about. */
export interface AlertRecord extends AlertState {
  readonly accountId: string;
  readonly check: string;
  readonly vault: string | undefined;
  readonly keyName: string | undefined;
  readonly version: string | undefined;
}

export interface AlertNotification {
  readonly kind: NotificationKind;
  readonly on: Date;
  readonly accountId: string;
  readonly check: string;
  readonly severity: Severity;
  readonly message: string;
  readonly remedy: string;
  readonly vault: string | undefined;
  readonly keyName: string | undefined;
  readonly version: string | undefined;
}

export interface AlertSink {
  /** Named in the log line when the sink fails. */
  readonly name: string;
  send(notification: AlertNotification): Promise<void> | void;
}

export interface StoredAlert {
  readonly record: AlertRecord;
  readonly etag: string;
}

export type WriteResult =
  | { readonly outcome: "written"; readonly etag: string }
  /** Someone else wrote (or created) the row since it was read. */
  | { readonly outcome: "conflict" };

/** Where alert state lives (Azure Table Storage in production). */
export interface AlertStore {
  /** Every stored alert row: one paged read, for a whole-fleet probe. */
  listAll(): Promise<StoredAlert[]>;
  listForAccount(accountId: string): Promise<StoredAlert[]>;
  get(accountId: string, check: string): Promise<StoredAlert | undefined>;
  /** Creates the row when `etag` is undefined; otherwise replaces it only if still at `etag`. */
  put(record: AlertRecord, etag: string | undefined): Promise<WriteResult>;
}

export interface Transition {
  /** `previous` itself when nothing changed; undefined when there is nothing worth storing. */
  readonly nextState: AlertState | undefined;
  readonly notification?: NotificationKind;
}

/**
 * Decides what one observation does to an alert. Raises after `alertAfterFailures` consecutive
 * failures, reminds every `reminderIntervalMinutes` while open (also while the probe cannot see,
 * because the alert is still open), and resolves on the first passing observation.
 */
export function nextAlertState(
  previous: AlertState | undefined,
  observation: Observation,
  now: Date,
  settings: AlertSettings,
): Transition {
  const open = previous?.status === "open";
  const reminderDue =
    previous?.lastNotifiedOn === undefined ||
    now.getTime() - previous.lastNotifiedOn.getTime() >= settings.reminderIntervalMinutes * 60_000;

  switch (observation.kind) {
    case "unknown": {
      if (previous === undefined || !open || !reminderDue) return { nextState: previous };
      return { nextState: { ...previous, lastNotifiedOn: now }, notification: "reminded" };
    }

    case "passing": {
      if (previous === undefined) return { nextState: undefined };
      if (open) {
        const resolved = {
          ...previous,
          status: "closed",
          consecutiveFailures: 0,
          resolvedOn: now,
          lastNotifiedOn: now,
        } as const;
        return { nextState: resolved, notification: "resolved" };
      }
      if (previous.consecutiveFailures === 0) return { nextState: previous };
      return { nextState: { ...previous, consecutiveFailures: 0, firstFailedOn: undefined } };
    }

    case "failing": {
      const { severity, message, remedy } = observation.finding;
      const streak = (previous?.consecutiveFailures ?? 0) + 1;
      const failing: AlertState = {
        status: previous?.status ?? "closed",
        severity,
        message,
        remedy,
        consecutiveFailures: streak,
        firstFailedOn: streak === 1 ? now : previous?.firstFailedOn,
        lastFailedOn: now,
        raisedOn: previous?.raisedOn,
        lastNotifiedOn: previous?.lastNotifiedOn,
        resolvedOn: previous?.resolvedOn,
      };
      if (open) {
        // An open alert that says the same thing is not rewritten on every probe: a fleet whose
        // keys all fail would otherwise cost one storage write per account every run.
        const unchanged =
          previous?.severity === severity &&
          previous.message === message &&
          previous.remedy === remedy;
        if (!reminderDue) return { nextState: unchanged ? previous : failing };
        return { nextState: { ...failing, lastNotifiedOn: now }, notification: "reminded" };
      }
      if (streak < settings.alertAfterFailures) return { nextState: failing };
      const raised: AlertState = {
        ...failing,
        status: "open",
        raisedOn: now,
        lastNotifiedOn: now,
        resolvedOn: undefined,
      };
      return { nextState: raised, notification: "raised" };
    }
  }
}

export interface CheckObservation {
  readonly check: Reason;
  readonly observation: Observation;
}

export interface AlertManagerOptions {
  readonly store: AlertStore;
  readonly sinks: readonly AlertSink[];
  readonly settings: AlertSettings;
  readonly log: Logger;
  /** Read-and-reapply rounds after write conflicts before giving up on one row. */
  readonly maxAttempts?: number;
}

/** Applies observations to stored alert state and notifies the sinks of each change. */
export class AlertManager {
  private readonly maxAttempts: number;
  /** Rows read up front by `preload`, by lower-case account id. */
  private snapshot: Map<string, StoredAlert[]> | undefined;

  constructor(private readonly options: AlertManagerOptions) {
    this.maxAttempts = options.maxAttempts ?? 5;
  }

  /**
   * Reads every stored row in one go, so a probe of the whole fleet does not read per account:
   * rows exist only for accounts that ever failed a check, and a healthy account with no row then
   * costs no storage call at all. A row changed by another run after this read is caught by its
   * ETag on write, and re-read then.
   */
  async preload(): Promise<void> {
    const snapshot = new Map<string, StoredAlert[]>();
    for (const entry of await this.options.store.listAll()) {
      const account = entry.record.accountId.toLowerCase();
      snapshot.set(account, [...(snapshot.get(account) ?? []), entry]);
    }
    this.snapshot = snapshot;
  }

  /** Applies one probe's observations of one account; reads the account's rows once. */
  async observe(
    target: AlertTarget,
    observations: readonly CheckObservation[],
    now: Date,
  ): Promise<AlertNotification[]> {
    const stored = this.snapshot
      ? (this.snapshot.get(target.accountId.toLowerCase()) ?? [])
      : await this.options.store.listForAccount(target.accountId);
    const byCheck = new Map(stored.map((entry) => [entry.record.check, entry]));
    const sent = await Promise.all(
      observations.map(({ check, observation }) =>
        this.apply(target, check, observation, now, byCheck.get(check)),
      ),
    );
    return sent.filter((notification) => notification !== undefined);
  }

  /**
   * After a whole-fleet probe that saw every watched account: resolves the alerts of accounts it
   * no longer watches (deleted, moved to a platform-managed key, no longer in the settings), which
   * no probe would ever observe again. Needs `preload`; does nothing without it.
   */
  async resolveUnwatched(watched: Iterable<string>, now: Date): Promise<AlertNotification[]> {
    if (this.snapshot === undefined) return [];
    const keep = new Set([...watched].map((id) => id.toLowerCase()));
    const sent: AlertNotification[] = [];
    for (const [account, rows] of this.snapshot) {
      if (keep.has(account)) continue;
      for (const row of rows) {
        const { accountId, vault, keyName, version, check } = row.record;
        const target = { accountId, vault, keyName, version };
        const notification = await this.apply(
          target,
          check as Reason,
          { kind: "passing" },
          now,
          row,
        );
        if (notification !== undefined) sent.push(notification);
      }
    }
    return sent;
  }

  /** For the rotation path: one failing finding about an account. */
  async report(
    target: AlertTarget,
    finding: Finding,
    now: Date,
  ): Promise<AlertNotification | undefined> {
    const current = await this.options.store.get(target.accountId, finding.check);
    return this.apply(target, finding.check, { kind: "failing", finding }, now, current);
  }

  /** For the rotation path: the check now passes, so an open alert of it resolves. */
  async resolve(
    target: AlertTarget,
    check: Reason,
    now: Date,
  ): Promise<AlertNotification | undefined> {
    const current = await this.options.store.get(target.accountId, check);
    return this.apply(target, check, { kind: "passing" }, now, current);
  }

  private async apply(
    target: AlertTarget,
    check: Reason,
    observation: Observation,
    now: Date,
    known: StoredAlert | undefined,
  ): Promise<AlertNotification | undefined> {
    const { store, settings, log } = this.options;
    let current = known;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      const previous = current?.record;
      const { nextState, notification } = nextAlertState(previous, observation, now, settings);
      if (nextState === undefined || nextState === previous) return undefined;

      const record: AlertRecord = {
        ...nextState,
        accountId: target.accountId,
        check,
        vault: target.vault ?? previous?.vault,
        keyName: target.keyName ?? previous?.keyName,
        version: target.version ?? previous?.version,
      };
      const written = await store.put(record, current?.etag);
      if (written.outcome === "written") {
        if (notification === undefined) return undefined;
        // Sent only after the write, so a run that lost the race never notifies twice.
        const sent = toNotification(notification, record, now);
        await notifyAll(this.options.sinks, sent, log);
        return sent;
      }
      // Another run wrote this row since we read it: apply our observation to what it wrote.
      current = await store.get(target.accountId, check);
    }
    log.warn("alert state kept changing under concurrent writers; this observation is dropped", {
      accountId: target.accountId,
      check,
    });
    return undefined;
  }
}

function toNotification(kind: NotificationKind, record: AlertRecord, on: Date): AlertNotification {
  return {
    kind,
    on,
    accountId: record.accountId,
    check: record.check,
    severity: record.severity,
    message: record.message,
    remedy: record.remedy,
    vault: record.vault,
    keyName: record.keyName,
    version: record.version,
  };
}

/** Sends to every sink at once; a failing sink is logged and never stops the others. */
export async function notifyAll(
  sinks: readonly AlertSink[],
  notification: AlertNotification,
  log: Logger,
): Promise<void> {
  const outcomes = await Promise.allSettled(
    sinks.map(async (sink) => {
      await sink.send(notification);
    }),
  );
  outcomes.forEach((outcome, index) => {
    if (outcome.status === "fulfilled") return;
    log.error("alert sink failed; the other sinks were still sent", {
      sink: sinks[index]?.name,
      kind: notification.kind,
      accountId: notification.accountId,
      check: notification.check,
      error: errorSummary(outcome.reason),
    });
  });
}

function errorSummary(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.split("\n")[0] ?? "";
}
