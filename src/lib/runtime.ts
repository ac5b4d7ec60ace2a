/**
 * The composition root: settings, ports over Azure, the ledger, alerts and the clock wired into the
 * entry points that the Functions and the command line call. Nothing else builds these.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { HttpClient } from "@azure/core-rest-pipeline";
import { createAzurePorts } from "./azure";
import type { ClientOptions } from "./azure/clients";
import { createTableLedger } from "./azure/ledgerTable";
import type { AzurePorts } from "./azure/ports";
import { createTableClient } from "./azure/storage";
import { type Settings, settingNames } from "./config";
import { type DeliveryResult, handleDelivery, handleEvents } from "./delivery";
import { discoverAccounts } from "./discovery";
import { classifyError } from "./errors";
import type { DeliveredEvent, KeyEvent, VaultPolicyEvent } from "./events";
import { createKeyedLock } from "./keyedLock";
import { parseKeyId } from "./keyId";
import type { Ledger, LedgerEntry } from "./ledger";
import type { Logger } from "./log";
import type { BatchAccount } from "./model";
import { AlertManager, type AlertSink, type AlertTarget } from "./alerts";
import { appInsightsSink, eventGridSink, logSink } from "./alertSinks";
import { tableAlertStore } from "./azure/alertStore";
import { appInsightsTracker, eventGridPublisher } from "./azure/sinks";
import {
  AccountOnExpiredKey,
  KeyNearExpiryNotRotated,
  RotationKeyUnreadable,
  RotationPatchFailed,
  RotationRefusedUnusableVersion,
  accountOnExpiredKey,
  keyNearExpiryNotRotated,
  rotationKeyUnreadable,
  rotationPatchFailed,
  rotationRefusedUnusableVersion,
  type Finding,
  type Reason,
} from "./checks";
import { type ProbeReport, probeAccounts } from "./probe";
import { type AccountOutcome, type RotationObserver, handleKeyEvent } from "./rotation";
import type { KeyFacts } from "./rotationDecisions";

export interface RuntimeOptions {
  readonly settings: Settings;
  readonly credential: TokenCredential;
  /** The stand-in's transport in offline runs. */
  readonly httpClient?: HttpClient;
  readonly now?: () => Date;
  /** Overrides for tests: a ledger other than the table one. */
  readonly ledger?: Ledger;
  /** Retry and timeout tuning of the SDK clients (tests shorten the waits). */
  readonly client?: Pick<
    ClientOptions,
    "maxRetries" | "retryDelayMs" | "maxRetryDelayMs" | "requestTimeoutMs"
  >;
  /** Further alert sinks, beside the log and the configured ones (the demo's timeline, tests). */
  readonly alertSinks?: readonly AlertSink[];
}

export interface Runtime {
  readonly settings: Settings;
  readonly ports: AzurePorts;
  readonly ledger: Ledger;
  handleDelivery(body: unknown, log: Logger): Promise<DeliveryResult>;
  handleEvents(events: readonly DeliveredEvent[], log: Logger): Promise<DeliveryResult>;
  /**
   * Probes every watched CMK account, or those whose key is in one vault, and updates alerts.
   * `resolveUnwatched` (the timer's runs, whose settings name the whole fleet) also resolves the
   * alerts of accounts no longer watched.
   */
  probe(log: Logger, filter?: ProbeFilter): Promise<ProbeRun>;
  history(filter?: { accountId?: string; limit?: number }): Promise<LedgerEntry[]>;
}

export interface ProbeFilter {
  readonly vaultName?: string;
  readonly resolveUnwatched?: boolean;
}

export interface ProbeRun extends ProbeReport {
  /** Accounts or subscriptions that could not be read, or were left out by the vault allowlist. */
  readonly unreadable: Array<{
    readonly id: string;
    readonly summary: string;
    readonly retryable: boolean;
  }>;
}

export function createRuntime(options: RuntimeOptions): Runtime {
  const { settings, credential } = options;
  const now = options.now ?? (() => new Date());
  const ports = createAzurePorts({
    ...options.client,
    credential,
    cloud: settings.cloud,
    httpClient: options.httpClient,
  });
  const ledger =
    options.ledger ??
    createTableLedger(createTableClient(settings, settings.ledgerTable, credential));
  const lock = createKeyedLock();
  const alertStore = tableAlertStore(createTableClient(settings, settings.alertTable, credential));
  const tracker = settings.appInsightsConnection
    ? appInsightsTracker(settings.appInsightsConnection)
    : undefined;
  const publisher = settings.alertTopicEndpoint
    ? eventGridPublisher(settings.alertTopicEndpoint, credential, options.httpClient)
    : undefined;

  const alertsFor = (log: Logger): AlertManager => {
    const sinks: AlertSink[] = [logSink(log)];
    if (tracker) sinks.push(appInsightsSink(tracker));
    if (publisher) sinks.push(eventGridSink(publisher));
    sinks.push(...(options.alertSinks ?? []));
    return new AlertManager({ store: alertStore, sinks, settings, log });
  };

  const rotationDeps = (
    log: Logger,
    discover = () => discoverAccounts(settings, ports.batch),
    keyFactsMemo?: Map<string, Promise<KeyFacts>>,
  ) => ({
    ports,
    ledger,
    settings,
    log,
    now,
    lock,
    discover,
    observer: rotationAlerts(alertsFor(log), now),
    ...(keyFactsMemo && { keyFactsMemo }),
  });

  const probe = async (log: Logger, filter: ProbeFilter = {}): Promise<ProbeRun> => {
    const discovery = await discoverAccounts(settings, ports.batch);
    const inScope = discovery.accounts.filter(
      (account) =>
        filter.vaultName === undefined || vaultNameOf(account.keyIdentifier) === filter.vaultName,
    );
    // The allowlist bounds where the app's credential may go, for the probe as for events.
    const allowed = (account: BatchAccount) => {
      const vault = vaultNameOf(account.keyIdentifier);
      return (
        settings.vaultAllowlist.length === 0 ||
        vault === undefined ||
        settings.vaultAllowlist.includes(vault)
      );
    };
    const accounts = inScope.filter(allowed);
    const notAllowed = inScope
      .filter((account) => !allowed(account))
      .map((account) => ({
        id: account.id,
        summary: `its vault ${vaultNameOf(account.keyIdentifier) ?? ""} is not on ${settingNames.vaultAllowlist}; not probed`,
        retryable: false,
      }));
    const alerts = alertsFor(log);
    if (filter.vaultName === undefined) {
      try {
        await alerts.preload();
      } catch (error) {
        log.warn(
          `could not read alert state up front; reading it per account: ${classifyError(error).summary}`,
        );
      }
    }
    // Every stale account of a key is moved to the same version: its facts are read once.
    const keyFactsMemo = new Map<string, Promise<KeyFacts>>();
    const report = await probeAccounts({
      accounts,
      ports,
      settings,
      now: now(),
      log,
      alerts,
      // Reconcile goes through the rotation path: validated, never backwards, recorded.
      onStaleVersion: async (account, newestUsableKid) => {
        const event = reconcileEvent(newestUsableKid, settings, now());
        if (event === undefined) return false;
        const single = async () => ({ accounts: [account], failures: [] });
        const result = await handleKeyEvent(event, rotationDeps(log, single, keyFactsMemo));
        return result.outcomes.some(
          (outcome) => outcome.accountId === account.id && outcome.decision === "changed",
        );
      },
    });
    // Accounts that are gone, or no longer use a customer-managed key, are never probed again:
    // their alerts resolve, but only when this run saw the whole fleet.
    if (
      filter.resolveUnwatched === true &&
      filter.vaultName === undefined &&
      discovery.failures.length === 0 &&
      report.discoveryFailure === undefined
    ) {
      try {
        await alerts.resolveUnwatched(
          [...report.results, ...notAllowed].map((entry) =>
            "accountId" in entry ? entry.accountId : entry.id,
          ),
          now(),
        );
      } catch (error) {
        log.warn(
          `could not resolve the alerts of accounts no longer watched: ${classifyError(error).summary}`,
        );
      }
    }
    return {
      ...report,
      unreadable: [
        ...discovery.failures.map(({ id, failure }) => ({
          id,
          summary: failure.summary,
          retryable: failure.kind === "transient",
        })),
        ...notAllowed,
      ],
    };
  };

  const deliveryDeps = (log: Logger) => ({
    settings,
    log,
    onKeyEvent: (event: KeyEvent) => handleKeyEvent(event, rotationDeps(log)),
    onVaultPolicyChanged: async (event: VaultPolicyEvent) => {
      const run = await probe(log, { vaultName: event.vaultName });
      return {
        summary: summariseProbe(run),
        retryable:
          run.unreadable.some((entry) => entry.retryable) || run.discoveryFailure !== undefined,
      };
    },
  });

  return {
    settings,
    ports,
    ledger,
    handleDelivery: (body, log) => handleDelivery(body, deliveryDeps(log)),
    handleEvents: (events, log) => handleEvents(events, deliveryDeps(log)),
    probe,
    history: (filter) => ledger.list(filter),
  };
}

/** One line a person can read: how many accounts were probed and how they are. */
export function summariseProbe(run: ProbeRun): string {
  const count = (status: string) => run.results.filter((result) => result.status === status).length;
  const parts = [
    `probed ${run.results.length} account(s)`,
    `${count("critical")} critical`,
    `${count("warning")} warning`,
    `${count("unknown")} unknown`,
  ];
  if (run.unreadable.length > 0) parts.push(`${run.unreadable.length} not probed`);
  if (run.skipped > 0) parts.push(`${run.skipped} with a platform-managed key skipped`);
  return parts.join(", ");
}

/**
 * Tells the alerts what rotation refused or failed, and resolves those alerts once the account is
 * changed.
 */
function rotationAlerts(alerts: AlertManager, now: () => Date): RotationObserver {
  return {
    async onOutcome(event: KeyEvent, outcome: AccountOutcome) {
      const target: AlertTarget = {
        accountId: outcome.accountId,
        vault: event.key.vaultName,
        keyName: event.key.name,
        version: event.key.version,
      };
      const passing: Reason[] = [];
      // The key could be read this time, so an earlier refusal of the guard's own access is over.
      if (outcome.reason !== "KeyVaultUnavailable") passing.push(RotationKeyUnreadable);
      if (outcome.decision === "changed") {
        passing.push(
          RotationRefusedUnusableVersion,
          RotationPatchFailed,
          AccountOnExpiredKey,
          KeyNearExpiryNotRotated,
        );
      }
      const failing = rotationFinding(event, outcome);
      // One observation set per account: its alert rows are read once, whatever changes.
      await alerts.observe(
        target,
        [
          ...passing.map((check) => ({ check, observation: { kind: "passing" as const } })),
          ...(failing
            ? [
                {
                  check: failing.check,
                  observation: { kind: "failing" as const, finding: failing },
                },
              ]
            : []),
        ],
        now(),
      );
    },
  };
}

/** The alert a refused or failed rotation raises, if any. */
function rotationFinding(event: KeyEvent, outcome: AccountOutcome): Finding | undefined {
  switch (outcome.reason) {
    case "NewVersionUnusable":
      return rotationRefusedUnusableVersion(event.key.kid, [
        outcome.message.replace(/^new version is unusable for Batch: /, ""),
      ]);
    case "PatchFailed":
    case "PatchNotConfirmed":
      return rotationPatchFailed(outcome.to ?? event.key.kid, outcome.message);
    case "KeyVaultUnavailable":
      // A transient failure is redelivered; only a refusal needs a person.
      return outcome.retryable ? undefined : rotationKeyUnreadable(event.key.kid, outcome.message);
    case "NearExpiryAlertOnly":
      return keyNearExpiryNotRotated(event.key.kid, event.expiresOn);
    case "NoUsableVersion":
      // The event's EXP is the version's expiry; the time of handling is not, so none is invented.
      return event.type === "Microsoft.KeyVault.KeyExpired"
        ? accountOnExpiredKey(event.key.kid, event.expiresOn)
        : keyNearExpiryNotRotated(event.key.kid, event.expiresOn);
    default:
      return undefined;
  }
}

/** The event the reconcile path hands to rotation: "this version exists", from the probe itself. */
function reconcileEvent(kid: string, settings: Settings, at: Date): KeyEvent | undefined {
  let key;
  try {
    key = parseKeyId(kid, { cloud: settings.cloud, requireVersion: true });
  } catch {
    return undefined;
  }
  return {
    kind: "key",
    id: `probe-reconcile-${at.toISOString()}`,
    type: "Microsoft.KeyVault.KeyNewVersionCreated",
    key,
    vaultId: "",
    vaultName: key.vaultName,
    subject: key.name,
    eventTime: at,
    notBefore: undefined,
    expiresOn: undefined,
  };
}

function vaultNameOf(keyIdentifier: string | undefined): string | undefined {
  return keyIdentifier === undefined
    ? undefined
    : /^https:\/\/([^./]+)\./i.exec(keyIdentifier.trim())?.[1]?.toLowerCase();
}
