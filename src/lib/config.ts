/**
 * App settings, read once and validated. Every problem names the setting and what it expected, and
 * a half-configured app refuses to start rather than run wrong.
 */
import { type Cloud, keyVaultSuffixes } from "./keyId";
import { redact } from "./log";

export type NearExpiryAction = "rotate" | "alert";

export interface Settings {
  readonly cloud: Cloud;
  /** Batch account resource ids to watch; when empty, `subscriptionIds` are scanned. */
  readonly accountIds: readonly string[];
  readonly subscriptionIds: readonly string[];
  /** Lower-case vault names whose events are trusted; empty means any vault of the cloud. */
  readonly vaultAllowlist: readonly string[];
  readonly dryRun: boolean;
  readonly nearExpiryAction: NearExpiryAction;
  /** Accounts handled at once; ARM throttles writes per subscription. */
  readonly maxConcurrency: number;
  /** Storage for the ledger and alert state (`AzureWebJobsStorage`). */
  readonly storageConnection: string | undefined;
  readonly storageAccountUrl: string | undefined;
  readonly ledgerTable: string;
  readonly alertTable: string;
  /** NCRONTAB schedule of the probe timer. */
  readonly probeSchedule: string;
  readonly expiryWarningDays: number;
  /** Consecutive failing probes before an alert is raised. */
  readonly alertAfterFailures: number;
  readonly reminderIntervalMinutes: number;
  /** When on, the probe moves accounts off stale versions through the rotation path. */
  readonly reconcile: boolean;
  readonly appInsightsConnection: string | undefined;
  readonly alertTopicEndpoint: string | undefined;
  /** Scenario file for the offline stand-in; when set nothing reaches Azure. */
  readonly simulate: string | undefined;
}

export class SettingsError extends Error {
  override readonly name = "SettingsError";
  constructor(readonly problems: readonly string[]) {
    super(`invalid settings:\n  - ${problems.join("\n  - ")}`);
  }
}

export const settingNames = {
  cloud: "BATCH_CMK_CLOUD",
  accountIds: "BATCH_CMK_ACCOUNT_IDS",
  subscriptionIds: "BATCH_CMK_SUBSCRIPTION_IDS",
  vaultAllowlist: "BATCH_CMK_VAULT_ALLOWLIST",
  dryRun: "BATCH_CMK_DRY_RUN",
  nearExpiryAction: "BATCH_CMK_NEAR_EXPIRY_ACTION",
  maxConcurrency: "BATCH_CMK_MAX_CONCURRENCY",
  storageConnection: "AzureWebJobsStorage",
  storageAccountUrl: "AzureWebJobsStorage__tableServiceUri",
  ledgerTable: "BATCH_CMK_LEDGER_TABLE",
  alertTable: "BATCH_CMK_ALERT_TABLE",
  probeSchedule: "BATCH_CMK_PROBE_SCHEDULE",
  expiryWarningDays: "BATCH_CMK_EXPIRY_WARNING_DAYS",
  alertAfterFailures: "BATCH_CMK_ALERT_AFTER_FAILURES",
  reminderIntervalMinutes: "BATCH_CMK_REMINDER_INTERVAL_MINUTES",
  reconcile: "BATCH_CMK_RECONCILE",
  appInsightsConnection: "APPLICATIONINSIGHTS_CONNECTION_STRING",
  alertTopicEndpoint: "BATCH_CMK_ALERT_TOPIC_ENDPOINT",
  simulate: "BATCH_CMK_SIMULATE",
} as const satisfies Record<keyof Settings, string>;

const guidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const accountIdPattern =
  /^\/subscriptions\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/resourceGroups\/[-\w._()]{1,90}\/providers\/Microsoft\.Batch\/batchAccounts\/[a-z0-9]{3,24}$/i;
const vaultNamePattern = /^[a-z][a-z0-9-]{1,22}[a-z0-9]$/i;
const vaultIdPattern =
  /^\/subscriptions\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/resourceGroups\/[^/]+\/providers\/Microsoft\.KeyVault\/vaults\/([^/]+)$/i;
const tableNamePattern = /^[A-Za-z][A-Za-z0-9]{2,62}$/;

type Env = Readonly<Record<string, string | undefined>>;

/** Reads and validates every setting; throws a `SettingsError` listing all problems at once. */
export function loadSettings(env: Env): Settings {
  const problems: string[] = [];
  const read = (key: keyof Settings): string | undefined => {
    const value = env[settingNames[key]]?.trim();
    return value === "" ? undefined : value;
  };
  const fail = (key: keyof Settings, expected: string, found: string): void => {
    // A value pasted into the wrong setting can be a connection string or a SAS URL.
    problems.push(`${settingNames[key]}: expected ${expected}, found '${redact(found)}'`);
  };

  const cloud = oneOf(read("cloud") ?? "public", ["public", "china", "usgov"] as const, (found) =>
    fail("cloud", "one of public, china, usgov", found),
  );

  const accountIds = list(read("accountIds"));
  for (const id of accountIds) {
    if (!accountIdPattern.test(id)) {
      fail(
        "accountIds",
        "Batch account resource ids (/subscriptions/<guid>/resourceGroups/<rg>/providers/Microsoft.Batch/batchAccounts/<name>)",
        id,
      );
    }
  }
  const subscriptionIds = list(read("subscriptionIds"));
  for (const id of subscriptionIds) {
    if (!guidPattern.test(id)) fail("subscriptionIds", "subscription GUIDs", id);
  }

  const vaultAllowlist = list(read("vaultAllowlist")).map((entry) => {
    const name = allowlistVaultName(entry, cloud ?? "public");
    if (name === undefined) {
      fail("vaultAllowlist", "vault names, vault URLs or vault resource ids", entry);
    }
    return name ?? "";
  });

  const nearExpiryAction = oneOf(
    read("nearExpiryAction") ?? "rotate",
    ["rotate", "alert"] as const,
    (found) => fail("nearExpiryAction", "rotate or alert", found),
  );

  const probeSchedule = read("probeSchedule") ?? "0 */5 * * * *";
  const scheduleProblem = ncrontabProblem(probeSchedule);
  if (scheduleProblem)
    fail("probeSchedule", `a six-field NCRONTAB expression (${scheduleProblem})`, probeSchedule);

  const storageConnection = read("storageConnection");
  const storageDefect =
    storageConnection === undefined ? undefined : storageConnectionDefect(storageConnection);
  if (storageDefect !== undefined) {
    // Never quoted, not even redacted: the value holds an account key or a SAS.
    problems.push(
      `${settingNames.storageConnection}: expected ${storageExpected}, found ${storageDefect}`,
    );
  }
  const storageAccountUrl = read("storageAccountUrl");
  if (storageAccountUrl !== undefined && !/^https?:\/\/[^\s/]+(\/\S*)?$/.test(storageAccountUrl)) {
    fail("storageAccountUrl", "a table service URL", storageAccountUrl);
  }

  const alertTopicEndpoint = read("alertTopicEndpoint");
  if (
    alertTopicEndpoint !== undefined &&
    !/^https:\/\/[^\s/]+\/api\/events\/?$/i.test(alertTopicEndpoint)
  ) {
    fail(
      "alertTopicEndpoint",
      "an Event Grid topic endpoint (https://<topic>.<region>-1.eventgrid.azure.net/api/events)",
      alertTopicEndpoint,
    );
  }

  const settings: Settings = {
    cloud: cloud ?? "public",
    accountIds,
    subscriptionIds,
    vaultAllowlist,
    dryRun: bool(read("dryRun"), false, (found) => fail("dryRun", "true or false", found)),
    nearExpiryAction: nearExpiryAction ?? "rotate",
    maxConcurrency: int(read("maxConcurrency"), 8, 1, 64, (expected, found) =>
      fail("maxConcurrency", expected, found),
    ),
    storageConnection,
    storageAccountUrl,
    ledgerTable: tableName(read("ledgerTable") ?? "batchcmkledger", (found) =>
      fail("ledgerTable", "a table name (3-63 letters and digits, starting with a letter)", found),
    ),
    alertTable: tableName(read("alertTable") ?? "batchcmkalerts", (found) =>
      fail("alertTable", "a table name (3-63 letters and digits, starting with a letter)", found),
    ),
    probeSchedule,
    expiryWarningDays: int(read("expiryWarningDays"), 30, 0, 3650, (expected, found) =>
      fail("expiryWarningDays", expected, found),
    ),
    alertAfterFailures: int(read("alertAfterFailures"), 1, 1, 1000, (expected, found) =>
      fail("alertAfterFailures", expected, found),
    ),
    reminderIntervalMinutes: int(
      read("reminderIntervalMinutes"),
      240,
      1,
      10080,
      (expected, found) => fail("reminderIntervalMinutes", expected, found),
    ),
    reconcile: bool(read("reconcile"), false, (found) => fail("reconcile", "true or false", found)),
    appInsightsConnection: read("appInsightsConnection"),
    alertTopicEndpoint,
    simulate: read("simulate"),
  };

  if (
    settings.accountIds.length === 0 &&
    settings.subscriptionIds.length === 0 &&
    settings.simulate === undefined
  ) {
    problems.push(
      `${settingNames.accountIds} or ${settingNames.subscriptionIds}: expected at least one Batch account id or subscription to watch, found neither`,
    );
  }
  if (problems.length > 0) throw new SettingsError(problems);
  return settings;
}

const storageExpected =
  "a storage connection string (AccountName with AccountKey, or SharedAccessSignature, and a table endpoint) or UseDevelopmentStorage=true";
const httpUrlPattern = /^https?:\/\/[^\s/]+(\/\S*)?$/i;

/**
 * What is wrong with a storage connection string, named by its keys only, or undefined when the
 * table SDK can build a client from it. The SDK's own errors come late and say little ("reading
 * 'toLowerCase'", "Invalid EndpointSuffix"), so its rules are checked here, at start-up.
 */
function storageConnectionDefect(connection: string): string | undefined {
  const pairs = new Map<string, string>();
  for (const segment of connection.split(";").map((part) => part.trim())) {
    if (segment === "") continue;
    const equals = segment.indexOf("=");
    if (equals <= 0) return "text that is not Key=value pairs separated by ';'";
    // The SDK reads keys case-insensitively; values (keys, SAS) can contain '='.
    pairs.set(segment.slice(0, equals).trim().toLowerCase(), segment.slice(equals + 1).trim());
  }
  const value = (key: string): string => pairs.get(key.toLowerCase()) ?? "";

  if (pairs.has("usedevelopmentstorage")) {
    if (value("UseDevelopmentStorage").toLowerCase() !== "true") {
      return "UseDevelopmentStorage with a value other than true";
    }
    const others = [...pairs.keys()].filter(
      (key) => key !== "usedevelopmentstorage" && key !== "developmentstorageproxyuri",
    );
    if (others.length > 0) return "UseDevelopmentStorage=true mixed with account settings";
    const proxy = pairs.get("developmentstorageproxyuri");
    if (proxy !== undefined && !httpUrlPattern.test(proxy)) {
      return "a DevelopmentStorageProxyUri that is not an http(s) URL";
    }
    return undefined;
  }

  const tableEndpoint = value("TableEndpoint");
  if (tableEndpoint !== "" && !httpUrlPattern.test(tableEndpoint)) {
    return "a TableEndpoint that is not an http(s) URL";
  }
  // The SDK signs with the key only when the protocol is given; otherwise it reads a SAS string.
  if (value("AccountKey") !== "") {
    if (value("AccountName") === "") return "an AccountKey without AccountName";
    if (!/^https?$/i.test(value("DefaultEndpointsProtocol"))) {
      return "an AccountKey without DefaultEndpointsProtocol=https (or http)";
    }
    if (tableEndpoint === "" && value("EndpointSuffix") === "") {
      return "no table endpoint: neither EndpointSuffix nor TableEndpoint";
    }
    return undefined;
  }
  if (value("SharedAccessSignature") !== "") {
    // The portal's SAS connection strings carry no AccountName: the endpoint names the account.
    if (tableEndpoint === "") return "a SharedAccessSignature without TableEndpoint";
    return undefined;
  }
  return "neither AccountKey nor SharedAccessSignature";
}

function list(value: string | undefined): string[] {
  return (value ?? "")
    .split(/[\s,;]+/)
    .map((item) => item.trim())
    .filter((item) => item !== "");
}

function oneOf<T extends string>(
  value: string,
  allowed: readonly T[],
  onError: (found: string) => void,
): T | undefined {
  const match = allowed.find((item) => item === value.toLowerCase());
  if (match === undefined) onError(value);
  return match;
}

function bool(
  value: string | undefined,
  fallback: boolean,
  onError: (found: string) => void,
): boolean {
  if (value === undefined) return fallback;
  if (/^(true|1|yes)$/i.test(value)) return true;
  if (/^(false|0|no)$/i.test(value)) return false;
  onError(value);
  return fallback;
}

function int(
  value: string | undefined,
  fallback: number,
  min: number,
  max: number,
  onError: (expected: string, found: string) => void,
): number {
  if (value === undefined) return fallback;
  const parsed = /^-?\d+$/.test(value) ? Number(value) : Number.NaN;
  if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
    onError(`a whole number from ${min} to ${max}`, value);
    return fallback;
  }
  return parsed;
}

function tableName(value: string, onError: (found: string) => void): string {
  if (!tableNamePattern.test(value)) onError(value);
  return value;
}

function allowlistVaultName(entry: string, cloud: Cloud): string | undefined {
  const fromId = vaultIdPattern.exec(entry)?.[1];
  if (fromId !== undefined) return vaultNamePattern.test(fromId) ? fromId.toLowerCase() : undefined;
  if (/^https:\/\//i.test(entry)) {
    const host = /^https:\/\/([^/:?#]+)\/?$/i.exec(entry)?.[1]?.toLowerCase();
    const suffix = `.${keyVaultSuffixes[cloud]}`;
    if (host === undefined || !host.endsWith(suffix)) return undefined;
    const name = host.slice(0, -suffix.length);
    return vaultNamePattern.test(name) ? name : undefined;
  }
  return vaultNamePattern.test(entry) && !entry.includes("--") ? entry.toLowerCase() : undefined;
}

const monthNames = [
  "jan",
  "feb",
  "mar",
  "apr",
  "may",
  "jun",
  "jul",
  "aug",
  "sep",
  "oct",
  "nov",
  "dec",
];
const dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

const ncrontabRanges: ReadonlyArray<[string, number, number]> = [
  ["second", 0, 59],
  ["minute", 0, 59],
  ["hour", 0, 23],
  ["day", 1, 31],
  ["month", 1, 12],
  ["day of week", 0, 6],
];

/** Returns what is wrong with a six-field NCRONTAB expression, or undefined when it is valid. */
export function ncrontabProblem(expression: string): string | undefined {
  const fields = expression.trim().split(/\s+/);
  if (fields.length !== 6) return `${fields.length} fields`;
  for (const [index, field] of fields.entries()) {
    const [label, min, max] = ncrontabRanges[index] ?? ["field", 0, 0];
    for (const part of field.split(",")) {
      const match = /^(\*|\d+(?:-\d+)?)(?:\/(\d+))?$/.exec(part);
      if (!match) {
        // Month and day names are allowed by NCRONTAB.
        const names = index === 4 ? monthNames : index === 5 ? dayNames : undefined;
        if (names && part.split("-").every((name) => names.includes(name.toLowerCase()))) continue;
        return `bad ${label} '${part}'`;
      }
      const numbers = match[1] === "*" ? [] : (match[1] ?? "").split("-").map(Number);
      if (numbers.some((n) => n < min || n > max)) return `${label} out of ${min}-${max}`;
      if (numbers.length === 2 && (numbers[0] ?? 0) > (numbers[1] ?? 0))
        return `${label} range '${part}' runs backwards`;
      if (match[2] !== undefined && Number(match[2]) === 0) return `${label} step of 0`;
    }
  }
  return undefined;
}
