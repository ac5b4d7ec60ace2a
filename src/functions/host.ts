/**
 * What the trigger files share inside the Functions host: settings validated once at start-up
 * (a half-configured app fails to load rather than run wrong), one runtime per worker, and a
 * logger over the invocation context.
 */
import type { InvocationContext } from "@azure/functions";
import { azureCredential } from "../lib/azure/credential";
import { type Settings, loadSettings } from "../lib/config";
import { type Logger, createLogger } from "../lib/log";
import { type Runtime, createRuntime } from "../lib/runtime";
import { loadSimulation, settingsForSimulation } from "../standin/simulation";

export const settings: Settings = loadSettings(process.env);

let runtime: Promise<Runtime> | undefined;

/** The worker's runtime, built on first use; offline (the stand-in) when a scenario is set. */
export function hostRuntime(): Promise<Runtime> {
  runtime ??= build().catch((error: unknown) => {
    runtime = undefined;
    throw error;
  });
  return runtime;
}

async function build(): Promise<Runtime> {
  if (settings.simulate !== undefined) {
    const simulation = await loadSimulation(settings.simulate);
    return createRuntime({
      settings: settingsForSimulation(settings, simulation, settings.simulate),
      credential: simulation.credential,
      httpClient: simulation.httpClient,
    });
  }
  return createRuntime({ settings, credential: azureCredential() });
}

export function contextLogger(context: InvocationContext): Logger {
  return createLogger({
    debug: (line) => context.debug(line),
    info: (line) => context.info(line),
    warn: (line) => context.warn(line),
    error: (line) => context.error(line),
  });
}
