/**
 * Opens a runtime for a command: against Azure with the app's credential, or against the offline
 * stand-in when a scenario is given. A simulated run with no storage configured starts its own
 * Azurite on a free loopback port and stops it on close.
 */
import { azureCredential } from "../lib/azure/credential";
import type { Settings } from "../lib/config";
import { type Runtime, createRuntime } from "../lib/runtime";
import { type Simulation, loadSimulation } from "../standin/simulation";
import { type RunningAzurite, startAzurite } from "./azurite";

export interface OpenRuntime {
  readonly runtime: Runtime;
  readonly simulation: Simulation | undefined;
  close(): Promise<void>;
}

export async function openRuntime(settings: Settings, now?: () => Date): Promise<OpenRuntime> {
  if (settings.simulate === undefined) {
    const runtime = createRuntime({ settings, credential: azureCredential(), ...(now && { now }) });
    return { runtime, simulation: undefined, close: async () => undefined };
  }

  const simulation = await loadSimulation(settings.simulate, now);
  let azurite: RunningAzurite | undefined;
  let storage = settings.storageConnection;
  if (storage === undefined && settings.storageAccountUrl === undefined) {
    azurite = await startAzurite();
    storage = azurite.connectionString;
  }
  const runtime = createRuntime({
    settings: { ...settings, storageConnection: storage },
    credential: simulation.credential,
    httpClient: simulation.httpClient,
    ...(now && { now }),
  });
  return { runtime, simulation, close: async () => azurite?.stop() };
}
