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
