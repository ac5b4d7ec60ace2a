/**
 * The command line reads the same settings as the Function App: the `Values` of
 * `local.settings.json` when present, overridden by the environment.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";

export function settingsEnvironment(
  cwd: string,
  env: NodeJS.ProcessEnv,
): Record<string, string | undefined> {
  const file = path.join(cwd, "local.settings.json");
  if (!existsSync(file)) return { ...env };
  let values: unknown;
  try {
    values = (JSON.parse(readFileSync(file, "utf8")) as { Values?: unknown }).Values;
  } catch (error) {
    throw new Error(`local.settings.json is not valid JSON: ${(error as Error).message}`);
  }
  if (
    values !== undefined &&
    (typeof values !== "object" || values === null || Array.isArray(values))
  ) {
    throw new Error("local.settings.json: expected Values to be an object of settings");
  }
  const fromFile = Object.fromEntries(
    Object.entries((values ?? {}) as Record<string, unknown>).filter(
      ([, value]) => typeof value === "string",
    ),
  ) as Record<string, string>;
  return { ...fromFile, ...env };
}
