/**
 * An offline world for integration tests: the stand-in for Azure behind the real SDK clients, the
 * ledger and alert state in Azurite (fresh tables per world), a fixed clock that tests move, a
 * memory logger and a collector of alert notifications. Nothing of ours or of the SDKs is mocked.
 */
import { inject } from "vitest";
import type { HttpClient } from "@azure/core-rest-pipeline";
import type { AlertNotification } from "../../src/lib/alerts";
import { type Settings, loadSettings } from "../../src/lib/config";
import { createMemoryLogger } from "../../src/lib/log";
import { type Runtime, type RuntimeOptions, createRuntime } from "../../src/lib/runtime";
import type { Scenario } from "../../src/standin/scenario";
import { type StandIn, type StandInOptions, createStandIn } from "../../src/standin/standIn";

export interface World {
  readonly standIn: StandIn;
  readonly runtime: Runtime;
  readonly settings: Settings;
  readonly log: ReturnType<typeof createMemoryLogger>;
  readonly alerts: AlertNotification[];
  /** Moves the shared clock (stand-in and product) to a new time. */
  setNow(time: Date | string): void;
  now(): Date;
}

let worlds = 0;

/**
 * Builds a world from a loaded scenario (`loadScenario(json)` or `buildFleet(...)`) and settings
 * as app-setting strings. Unless told otherwise it watches every subscription of the scenario.
 */
export function createWorld(
  loaded: Scenario,
  env: Record<string, string> = {},
  options: {
    standIn?: StandInOptions;
    start?: string;
    client?: RuntimeOptions["client"];
    /** Wraps the stand-in's transport before the runtime gets it (e.g. a guard on hosts). */
    wrapHttpClient?: (client: HttpClient) => HttpClient;
  } = {},
): World {
  let clock = new Date(options.start ?? "2026-12-04T09:00:00Z");
  const now = () => clock;
  const standIn = createStandIn(loaded, { ...options.standIn, clock: now });
  const suffix = `${process.pid}${Date.now().toString(36)}${worlds++}`.replace(/[^a-z0-9]/gi, "");
  const settings = loadSettings({
    BATCH_CMK_SUBSCRIPTION_IDS: loaded.subscriptions
      .map((subscription) => subscription.id)
      .join(","),
    AzureWebJobsStorage: inject("azuriteConnectionString"),
    BATCH_CMK_LEDGER_TABLE: `ledger${suffix}`,
    BATCH_CMK_ALERT_TABLE: `alerts${suffix}`,
    BATCH_CMK_CLOUD: loaded.cloud,
    ...env,
  });
  const alerts: AlertNotification[] = [];
  const log = createMemoryLogger();
  const runtime = createRuntime({
    settings,
    credential: standIn.credential,
    httpClient: options.wrapHttpClient?.(standIn.httpClient) ?? standIn.httpClient,
    now,
    // Real retries, short waits: the suite stays quick while the retry policy still runs.
    client: { retryDelayMs: 5, maxRetryDelayMs: 50, ...options.client },
    alertSinks: [{ name: "test", send: (notification) => void alerts.push(notification) }],
  });
  return {
    standIn,
    runtime,
    settings,
    log,
    alerts,
    setNow: (time) => {
      clock = new Date(time);
    },
    now,
  };
}
