/** Opens the offline stand-in from a scenario file, for the CLI and the Functions host. */
import { readFile } from "node:fs/promises";
import { loadScenario, ScenarioError } from "./scenario";
import { createStandIn, type StandIn } from "./standIn";

/** A running stand-in: pass its `httpClient` and `credential` to the SDK clients. */
export type Simulation = StandIn;

/** Reads and validates a scenario file; errors name the file and the bad field. */
export async function loadSimulation(path: string, now?: () => Date): Promise<Simulation> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(path, "utf8"));
  } catch (error) {
    throw new ScenarioError(
      `${path}: cannot read the scenario as JSON (${(error as Error).message})`,
    );
  }
  try {
    return createStandIn(loadScenario(json), now === undefined ? {} : { clock: now });
  } catch (error) {
    if (error instanceof ScenarioError) throw new ScenarioError(`${path}: ${error.message}`);
    throw error;
  }
}

/**
 * The settings a simulated run uses: the scenario's own subscriptions when none are configured, so
 * `--simulate scenario.json` alone probes the scenario's accounts. A cloud that differs from the
 * scenario's would only ever reach hosts the stand-in does not serve, so it is refused.
 */
export function settingsForSimulation<
  T extends {
    readonly cloud: string;
    readonly accountIds: readonly string[];
    readonly subscriptionIds: readonly string[];
  },
>(settings: T, simulation: Simulation, file: string): T {
  if (settings.cloud !== simulation.scenario.cloud) {
    throw new ScenarioError(
      `${file}: the scenario is for the ${simulation.scenario.cloud} cloud but BATCH_CMK_CLOUD is ${settings.cloud}`,
    );
  }
  if (settings.accountIds.length > 0 || settings.subscriptionIds.length > 0) return settings;
  return {
    ...settings,
    subscriptionIds: simulation.scenario.subscriptions.map((entry) => entry.id),
  };
}
