/**
 * The composition root: settings, ports over Azure, the ledger, alerts and the clock wired into the
 * entry points that the Functions and the command line call. Nothing else builds these.
 */
import type { TokenCredential } from "@azure/core-auth";
import type { HttpClient } from "@azure/core-rest-pipeline";
import { createAzurePorts } from "./azure";
import { createTableLedger } from "./azure/ledgerTable";
import type { AzurePorts } from "./azure/ports";
import { createTableClient } from "./azure/storage";
import type { Settings } from "./config";
import { type DeliveryResult, handleDelivery, handleEvents } from "./delivery";
import { discoverAccounts } from "./discovery";
import type { DeliveredEvent, VaultPolicyEvent } from "./events";
import { createKeyedLock } from "./keyedLock";
import type { Ledger, LedgerEntry } from "./ledger";
import type { Logger } from "./log";
import { type RotationObserver, handleKeyEvent } from "./rotation";

export interface RuntimeOptions {
  readonly settings: Settings;
  readonly credential: TokenCredential;
  /** The stand-in's transport in offline runs. */
  readonly httpClient?: HttpClient;
  readonly now?: () => Date;
  /** Overrides for tests: a ledger other than the table one. */
  readonly ledger?: Ledger;
}

export interface Runtime {
  readonly settings: Settings;
  readonly ports: AzurePorts;
  readonly ledger: Ledger;
  handleDelivery(body: unknown, log: Logger): Promise<DeliveryResult>;
  handleEvents(events: readonly DeliveredEvent[], log: Logger): Promise<DeliveryResult>;
  history(filter?: { accountId?: string; limit?: number }): Promise<LedgerEntry[]>;
}

export function createRuntime(options: RuntimeOptions): Runtime {
  const { settings, credential } = options;
  const now = options.now ?? (() => new Date());
  const ports = createAzurePorts({
    credential,
    cloud: settings.cloud,
    httpClient: options.httpClient,
  });
  const ledger =
    options.ledger ??
    createTableLedger(createTableClient(settings, settings.ledgerTable, credential));
  const lock = createKeyedLock();
  const observer: RotationObserver | undefined = undefined;

  const deliveryDeps = (log: Logger) => ({
    settings,
    log,
    onKeyEvent: (event: Parameters<typeof handleKeyEvent>[0]) =>
      handleKeyEvent(event, {
        ports,
        ledger,
        settings,
        log,
        now,
        lock,
        discover: () => discoverAccounts(settings, ports.batch),
        observer,
      }),
    onVaultPolicyChanged: async (event: VaultPolicyEvent) => ({
      summary: `vault ${event.vaultName}: probe not configured`,
      retryable: false,
    }),
  });

  return {
    settings,
    ports,
    ledger,
    handleDelivery: (body, log) => handleDelivery(body, deliveryDeps(log)),
    handleEvents: (events, log) => handleEvents(events, deliveryDeps(log)),
    history: (filter) => ledger.list(filter),
  };
}
