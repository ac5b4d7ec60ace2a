/**
 * Opens a runtime for a command: against Azure with the app's credential, or against the offline
 * stand-in when a scenario is given. A simulated run with no reachable storage starts its own
 * Azurite on a free loopback port and stops it on close.
 */
import { connect } from "node:net";
import { azureCredential } from "../lib/azure/credential";
import type { Settings } from "../lib/config";
import type { Logger } from "../lib/log";
import { type Runtime, createRuntime } from "../lib/runtime";
import { type Simulation, loadSimulation, settingsForSimulation } from "../standin/simulation";
import { type RunningAzurite, startAzurite } from "./azurite";

export interface OpenRuntime {
  readonly runtime: Runtime;
  readonly simulation: Simulation | undefined;
  close(): Promise<void>;
}

/** Azurite's default table port, which `UseDevelopmentStorage=true` points at. */
const developmentTablePort = 10002;

export async function openRuntime(settings: Settings, log: Logger): Promise<OpenRuntime> {
  if (settings.simulate === undefined) {
    const runtime = createRuntime({ settings, credential: azureCredential() });
    return { runtime, simulation: undefined, close: async () => undefined };
  }

  const simulation = await loadSimulation(settings.simulate);
  // Settings that cannot work with this scenario fail before anything is started.
  const simulated = settingsForSimulation(settings, simulation, settings.simulate);
  let azurite: RunningAzurite | undefined;
  let storage = settings.storageConnection;
  if (settings.storageAccountUrl === undefined && !(await storageReachable(storage))) {
    azurite = await startAzurite();
    storage = azurite.connectionString;
    log.info(
      "simulated run: using a private in-memory Azurite, so the ledger ends with this command",
    );
  }
  try {
    const runtime = createRuntime({
      settings: { ...simulated, storageConnection: storage },
      credential: simulation.credential,
      httpClient: simulation.httpClient,
    });
    return { runtime, simulation, close: async () => azurite?.stop() };
  } catch (error) {
    await azurite?.stop();
    throw error;
  }
}

/**
 * Whether configured storage can serve a simulated run: an explicit connection string is taken as
 * given; the development shortcut only when an Azurite of the user's own is listening.
 */
async function storageReachable(connection: string | undefined): Promise<boolean> {
  if (connection === undefined) return false;
  if (!/^\s*UseDevelopmentStorage=true/i.test(connection)) return true;
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port: developmentTablePort });
    const done = (listening: boolean) => {
      socket.destroy();
      resolve(listening);
    };
    socket.setTimeout(500, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}
