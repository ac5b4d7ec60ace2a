/**
 * The command line reads the same settings as the Function App: the `Values` of
 * `local.settings.json` when present, overridden by the environment.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { SettingsError } from "../lib/config";

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
    throw new SettingsError([`local.settings.json: not valid JSON (${(error as Error).message})`]);
  }
  if (values === undefined) return { ...env };
  if (typeof values !== "object" || values === null || Array.isArray(values)) {
    throw new SettingsError(["local.settings.json: expected Values to be an object of settings"]);
  }
  // The Functions host reads every value as a string; a number here would be silently different.
  const problems = Object.entries(values)
    .filter(([, value]) => typeof value !== "string")
    .map(
      ([name, value]) =>
        `local.settings.json: Values.${name} must be a string, found ${typeof value}`,
    );
  if (problems.length > 0) throw new SettingsError(problems);
  return { ...(values as Record<string, string>), ...env };
}
