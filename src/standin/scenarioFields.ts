/** Small readers for scenario JSON that name the bad field in every error. */

/** A scenario file that does not validate; the message names the field, e.g. `vaults[0].name`. */
export class ScenarioError extends Error {
  override readonly name = "ScenarioError";
}

export type Json = Record<string, unknown>;

export function fail(path: string, expected: string, found: unknown): never {
  throw new ScenarioError(`${path}: expected ${expected}, found ${describe(found)}`);
}

function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "object") return "an object";
  return `${typeof value} ${String(value)}`;
}

export function readObject(value: unknown, path: string): Json {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    fail(path, "an object", value);
  }
  return value as Json;
}

export function readArray(value: unknown, path: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(path, "an array", value);
  return value;
}

export function readString(value: unknown, path: string): string {
  if (typeof value !== "string" || value.trim() === "") fail(path, "a non-empty string", value);
  return value.trim();
}

export function readOptionalString(value: unknown, path: string): string | undefined {
  return value === undefined ? undefined : readString(value, path);
}

export function readBoolean(value: unknown, path: string, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") fail(path, "true or false", value);
  return value;
}

export function readInteger(value: unknown, path: string): number {
  if (typeof value !== "number" || !Number.isInteger(value)) fail(path, "an integer", value);
  return value;
}

export function readChoice<T extends string | number>(
  value: unknown,
  path: string,
  choices: readonly T[],
): T {
  if (!choices.includes(value as T)) fail(path, `one of ${choices.join(", ")}`, value);
  return value as T;
}

export function readOptionalDate(value: unknown, path: string): Date | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string" || Number.isNaN(Date.parse(value))) {
    fail(path, "an ISO 8601 date", value);
  }
  return new Date(value);
}

export function readStringList(value: unknown, path: string): string[] {
  return readArray(value, path).map((item, i) => readString(item, `${path}[${i}]`));
}

/** Refuses fields the format does not know, so a typo does not pass silently. */
export function refuseUnknownFields(json: Json, path: string, known: readonly string[]): void {
  for (const field of Object.keys(json)) {
    if (!known.includes(field)) {
      throw new ScenarioError(`${path}.${field}: unknown field (known: ${known.join(", ")})`);
    }
  }
}
