import { describe, expect, it } from "vitest";
import { createTableClient } from "../src/lib/azure/storage";
import { loadSettings, ncrontabProblem, type Settings, SettingsError } from "../src/lib/config";

const subscription = "6b9d4c38-6c7e-4d1a-9a3f-2a5c3e1f0b7d";
const accountId =
  `/subscriptions/${subscription}/resourceGroups/rg-batch` +
  "/providers/Microsoft.Batch/batchAccounts/contosobatch";
const minimal = { BATCH_CMK_ACCOUNT_IDS: accountId };
/** Building a table client from a connection string never asks for a token. */
const noCredential = {
  getToken: async () => {
    throw new Error("a connection string needs no token");
  },
};

function problemsOf(env: Record<string, string | undefined>): readonly string[] {
  try {
    loadSettings(env);
  } catch (error) {
    expect(error).toBeInstanceOf(SettingsError);
    return (error as SettingsError).problems;
  }
  throw new Error("expected the settings to be refused");
}

describe("loadSettings defaults", () => {
  it("fills every optional setting with its default", () => {
    expect(loadSettings(minimal)).toEqual<Settings>({
      cloud: "public",
      accountIds: [accountId],
      subscriptionIds: [],
      vaultAllowlist: [],
      dryRun: false,
      nearExpiryAction: "rotate",
      maxConcurrency: 8,
      storageConnection: undefined,
      storageAccountUrl: undefined,
      ledgerTable: "batchcmkledger",
      alertTable: "batchcmkalerts",
      probeSchedule: "0 */5 * * * *",
      expiryWarningDays: 30,
      alertAfterFailures: 1,
      reminderIntervalMinutes: 240,
      reconcile: false,
      appInsightsConnection: undefined,
      alertTopicEndpoint: undefined,
      simulate: undefined,
    });
  });

  it("treats empty and blank settings as unset", () => {
    const settings = loadSettings({
      ...minimal,
      BATCH_CMK_CLOUD: " ",
      BATCH_CMK_MAX_CONCURRENCY: "",
    });
    expect(settings.cloud).toBe("public");
    expect(settings.maxConcurrency).toBe(8);
  });

  it("needs no account or subscription when running against the stand-in", () => {
    expect(loadSettings({ BATCH_CMK_SIMULATE: "scenarios/demo.json" }).simulate).toBe(
      "scenarios/demo.json",
    );
  });
});

describe("loadSettings reads each setting", () => {
  it("reads every setting that is given", () => {
    const settings = loadSettings({
      BATCH_CMK_CLOUD: "USGov",
      BATCH_CMK_ACCOUNT_IDS: `${accountId}, ${accountId.replace("contosobatch", "otherbatch")}`,
      BATCH_CMK_SUBSCRIPTION_IDS: `${subscription};${subscription.toUpperCase()}`,
      BATCH_CMK_VAULT_ALLOWLIST: "Contoso-KV https://fabrikam-kv.vault.usgovcloudapi.net/",
      BATCH_CMK_DRY_RUN: "yes",
      BATCH_CMK_NEAR_EXPIRY_ACTION: "ALERT",
      BATCH_CMK_MAX_CONCURRENCY: "16",
      AzureWebJobsStorage: "UseDevelopmentStorage=true",
      AzureWebJobsStorage__tableServiceUri: "http://127.0.0.1:10002/devstoreaccount1",
      BATCH_CMK_LEDGER_TABLE: "ledger",
      BATCH_CMK_ALERT_TABLE: "alerts",
      BATCH_CMK_PROBE_SCHEDULE: "0 0 */1 * * Mon-Fri",
      BATCH_CMK_EXPIRY_WARNING_DAYS: "0",
      BATCH_CMK_ALERT_AFTER_FAILURES: "3",
      BATCH_CMK_REMINDER_INTERVAL_MINUTES: "60",
      BATCH_CMK_RECONCILE: "1",
      APPLICATIONINSIGHTS_CONNECTION_STRING:
        "InstrumentationKey=00000000-0000-0000-0000-000000000000",
      BATCH_CMK_ALERT_TOPIC_ENDPOINT: "https://alerts.westeurope-1.eventgrid.azure.net/api/events",
    });
    expect(settings).toEqual<Settings>({
      cloud: "usgov",
      accountIds: [accountId, accountId.replace("contosobatch", "otherbatch")],
      subscriptionIds: [subscription, subscription.toUpperCase()],
      vaultAllowlist: ["contoso-kv", "fabrikam-kv"],
      dryRun: true,
      nearExpiryAction: "alert",
      maxConcurrency: 16,
      storageConnection: "UseDevelopmentStorage=true",
      storageAccountUrl: "http://127.0.0.1:10002/devstoreaccount1",
      ledgerTable: "ledger",
      alertTable: "alerts",
      probeSchedule: "0 0 */1 * * Mon-Fri",
      expiryWarningDays: 0,
      alertAfterFailures: 3,
      reminderIntervalMinutes: 60,
      reconcile: true,
      appInsightsConnection: "InstrumentationKey=00000000-0000-0000-0000-000000000000",
      alertTopicEndpoint: "https://alerts.westeurope-1.eventgrid.azure.net/api/events",
      simulate: undefined,
    });
  });

  it.each([
    ["a vault name", "contoso-kv", "contoso-kv"],
    ["an upper-case vault name", "CONTOSO-KV", "contoso-kv"],
    ["a vault URL", "https://contoso-kv.vault.azure.net", "contoso-kv"],
    [
      "a vault resource id",
      `/subscriptions/${subscription}/resourceGroups/rg-keys` +
        "/providers/Microsoft.KeyVault/vaults/Contoso-KV",
      "contoso-kv",
    ],
  ])("reads an allowlist entry given as %s", (_what, entry, name) => {
    expect(loadSettings({ ...minimal, BATCH_CMK_VAULT_ALLOWLIST: entry }).vaultAllowlist).toEqual([
      name,
    ]);
  });
});

const accountIdsExpected =
  "Batch account resource ids " +
  "(/subscriptions/<guid>/resourceGroups/<rg>/providers/Microsoft.Batch/batchAccounts/<name>)";
const allowlistExpected = "vault names, vault URLs or vault resource ids";
const tableExpected = "a table name (3-63 letters and digits, starting with a letter)";
const topicExpected =
  "an Event Grid topic endpoint (https://<topic>.<region>-1.eventgrid.azure.net/api/events)";
const cronExpected = (problem: string): string => `a six-field NCRONTAB expression (${problem})`;
const storageAccountId =
  `/subscriptions/${subscription}/resourceGroups/rg` +
  "/providers/Microsoft.Storage/storageAccounts/logs";

describe("loadSettings validation", () => {
  it.each([
    ["an unknown cloud", "BATCH_CMK_CLOUD", "mars", "one of public, china, usgov"],
    [
      "an account id of another resource type",
      "BATCH_CMK_ACCOUNT_IDS",
      accountId.replace("Microsoft.Batch/batchAccounts", "Microsoft.Storage/storageAccounts"),
      accountIdsExpected,
    ],
    [
      "an account id whose subscription is dashes, not a GUID",
      "BATCH_CMK_ACCOUNT_IDS",
      accountId.replace(subscription, "-".repeat(36)),
      accountIdsExpected,
    ],
    [
      "an account name with a dash",
      "BATCH_CMK_ACCOUNT_IDS",
      accountId.replace("contosobatch", "contoso-batch"),
      accountIdsExpected,
    ],
    ["a subscription that is a name", "BATCH_CMK_SUBSCRIPTION_IDS", "my-sub", "subscription GUIDs"],
    [
      "a subscription GUID one character short",
      "BATCH_CMK_SUBSCRIPTION_IDS",
      subscription.slice(1),
      "subscription GUIDs",
    ],
    [
      "an allowlist entry that is a key id, not a vault",
      "BATCH_CMK_VAULT_ALLOWLIST",
      "https://contoso-kv.vault.azure.net/keys/batch-cmk",
      allowlistExpected,
    ],
    [
      "an allowlist entry on a vault host of another cloud",
      "BATCH_CMK_VAULT_ALLOWLIST",
      "https://contoso-kv.vault.azure.cn",
      allowlistExpected,
    ],
    [
      "an allowlist entry that is a Managed HSM",
      "BATCH_CMK_VAULT_ALLOWLIST",
      "https://contoso-hsm.managedhsm.azure.net",
      allowlistExpected,
    ],
    [
      "an allowlist entry that is a storage account id",
      "BATCH_CMK_VAULT_ALLOWLIST",
      storageAccountId,
      allowlistExpected,
    ],
    [
      "an allowlist entry too short for a vault",
      "BATCH_CMK_VAULT_ALLOWLIST",
      "kv",
      allowlistExpected,
    ],
    ["a dry run flag that is not a boolean", "BATCH_CMK_DRY_RUN", "maybe", "true or false"],
    ["a reconcile flag that is not a boolean", "BATCH_CMK_RECONCILE", "on", "true or false"],
    ["an unknown near-expiry action", "BATCH_CMK_NEAR_EXPIRY_ACTION", "ignore", "rotate or alert"],
    ["a concurrency of zero", "BATCH_CMK_MAX_CONCURRENCY", "0", "a whole number from 1 to 64"],
    ["a fractional concurrency", "BATCH_CMK_MAX_CONCURRENCY", "2.5", "a whole number from 1 to 64"],
    [
      "a negative reminder interval",
      "BATCH_CMK_REMINDER_INTERVAL_MINUTES",
      "-5",
      "a whole number from 1 to 10080",
    ],
    [
      "a negative expiry warning",
      "BATCH_CMK_EXPIRY_WARNING_DAYS",
      "-1",
      "a whole number from 0 to 3650",
    ],
    [
      "an alert threshold of zero failures",
      "BATCH_CMK_ALERT_AFTER_FAILURES",
      "0",
      "a whole number from 1 to 1000",
    ],
    ["a ledger table name with a dash", "BATCH_CMK_LEDGER_TABLE", "cmk-ledger", tableExpected],
    [
      "an alert table name starting with a digit",
      "BATCH_CMK_ALERT_TABLE",
      "1alerts",
      tableExpected,
    ],
    [
      "a table service URL followed by other words",
      "AzureWebJobsStorage__tableServiceUri",
      "https://logs.table.core.windows.net and more",
      "a table service URL",
    ],
    [
      "a table service URL without a scheme",
      "AzureWebJobsStorage__tableServiceUri",
      "logs.table.core.windows.net",
      "a table service URL",
    ],
    [
      "an alert topic endpoint over http",
      "BATCH_CMK_ALERT_TOPIC_ENDPOINT",
      "http://alerts.westeurope-1.eventgrid.azure.net/api/events",
      topicExpected,
    ],
    [
      "an alert topic endpoint without the events path",
      "BATCH_CMK_ALERT_TOPIC_ENDPOINT",
      "https://alerts.westeurope-1.eventgrid.azure.net",
      topicExpected,
    ],
    [
      "a five-field cron expression",
      "BATCH_CMK_PROBE_SCHEDULE",
      "*/5 * * * *",
      cronExpected("5 fields"),
    ],
    [
      "a cron expression with a second out of range",
      "BATCH_CMK_PROBE_SCHEDULE",
      "60 * * * * *",
      cronExpected("second out of 0-59"),
    ],
  ])("refuses %s, naming the setting and what it expected", (_what, name, value, expected) => {
    expect(problemsOf({ ...minimal, [name]: value })).toEqual([
      `${name}: expected ${expected}, found '${value}'`,
    ]);
  });

  it("refuses settings that name no account and no subscription", () => {
    expect(problemsOf({})).toEqual([
      "BATCH_CMK_ACCOUNT_IDS or BATCH_CMK_SUBSCRIPTION_IDS: " +
        "expected at least one Batch account id or subscription to watch, found neither",
    ]);
  });

  it("lists every problem at once, in one error", () => {
    const env = {
      BATCH_CMK_CLOUD: "mars",
      BATCH_CMK_SUBSCRIPTION_IDS: "not-a-guid",
      BATCH_CMK_VAULT_ALLOWLIST: "kv",
      BATCH_CMK_MAX_CONCURRENCY: "-1",
      BATCH_CMK_PROBE_SCHEDULE: "every five minutes",
    };
    let thrown: unknown;
    try {
      loadSettings(env);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(SettingsError);
    const problems = [
      "BATCH_CMK_CLOUD: expected one of public, china, usgov, found 'mars'",
      "BATCH_CMK_SUBSCRIPTION_IDS: expected subscription GUIDs, found 'not-a-guid'",
      `BATCH_CMK_VAULT_ALLOWLIST: expected ${allowlistExpected}, found 'kv'`,
      `BATCH_CMK_PROBE_SCHEDULE: expected ${cronExpected("3 fields")}, found 'every five minutes'`,
      "BATCH_CMK_MAX_CONCURRENCY: expected a whole number from 1 to 64, found '-1'",
    ];
    expect((thrown as SettingsError).problems).toEqual(problems);
    expect((thrown as Error).message).toBe(`invalid settings:\n  - ${problems.join("\n  - ")}`);
  });
});

const devKey =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
/** Stands for a real account key: it must never appear in a problem. */
const secretKey = "c2VjcmV0LWFjY291bnQta2V5LXRoYXQtbXVzdC1uZXZlci1sZWFr";
const sas = "sv=2022-11-02&ss=t&srt=sco&sp=rwdlacu&se=2027-01-01T00:00:00Z&sig=c2VjcmV0c2ln";
const storageExpected =
  "AzureWebJobsStorage: expected a storage connection string (AccountName with AccountKey, " +
  "or SharedAccessSignature, and a table endpoint) or UseDevelopmentStorage=true, found ";

describe("loadSettings reads AzureWebJobsStorage", () => {
  it.each([
    ["the development storage shorthand", "UseDevelopmentStorage=true"],
    [
      "the development storage shorthand with a proxy",
      "UseDevelopmentStorage=true;DevelopmentStorageProxyUri=http://127.0.0.1",
    ],
    [
      "Azurite's account string with its table endpoint",
      `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${devKey};TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;`,
    ],
    [
      "the portal's account string",
      `DefaultEndpointsProtocol=https;AccountName=contosofunc;AccountKey=${secretKey};EndpointSuffix=core.windows.net`,
    ],
    [
      "an account string in lower case with spaces around the pairs",
      `defaultendpointsprotocol=https; accountname=contosofunc; accountkey=${secretKey}; endpointsuffix=core.chinacloudapi.cn`,
    ],
    [
      "the portal's SAS string, which names the account only in its endpoints",
      `BlobEndpoint=https://contosofunc.blob.core.windows.net/;TableEndpoint=https://contosofunc.table.core.windows.net/;SharedAccessSignature=${sas}`,
    ],
    [
      "a SAS string with an account name",
      `AccountName=contosofunc;SharedAccessSignature=${sas};TableEndpoint=https://contosofunc.table.core.windows.net`,
    ],
  ])("accepts %s, and the table SDK can open it", (_what, connection) => {
    const settings = loadSettings({ ...minimal, AzureWebJobsStorage: connection });
    expect(settings.storageConnection).toBe(connection);
    expect(() => createTableClient(settings, "ledger", noCredential)).not.toThrow();
  });

  it.each([
    [
      "words, not a connection string",
      "not a connection string",
      "text that is not Key=value pairs separated by ';'",
    ],
    [
      "an account key with no endpoint",
      `AccountName=x;AccountKey=${secretKey}`,
      "an AccountKey without DefaultEndpointsProtocol=https (or http)",
    ],
    [
      "an account key with a protocol but no endpoint suffix",
      `DefaultEndpointsProtocol=https;AccountName=x;AccountKey=${secretKey}`,
      "no table endpoint: neither EndpointSuffix nor TableEndpoint",
    ],
    [
      "an account key with a table endpoint but no protocol (the SDK would read it as a SAS string)",
      `AccountName=x;AccountKey=${secretKey};TableEndpoint=https://x.table.core.windows.net`,
      "an AccountKey without DefaultEndpointsProtocol=https (or http)",
    ],
    [
      "an account key with a protocol other than http or https",
      `DefaultEndpointsProtocol=ftp;AccountName=x;AccountKey=${secretKey};EndpointSuffix=core.windows.net`,
      "an AccountKey without DefaultEndpointsProtocol=https (or http)",
    ],
    [
      "an account key without an account name",
      `DefaultEndpointsProtocol=https;AccountKey=${secretKey};EndpointSuffix=core.windows.net`,
      "an AccountKey without AccountName",
    ],
    [
      "an account name and endpoint but no credential",
      "DefaultEndpointsProtocol=https;AccountName=x;EndpointSuffix=core.windows.net",
      "neither AccountKey nor SharedAccessSignature",
    ],
    [
      "an empty account key",
      "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=;EndpointSuffix=core.windows.net",
      "neither AccountKey nor SharedAccessSignature",
    ],
    [
      "a SAS without a table endpoint",
      `DefaultEndpointsProtocol=https;AccountName=x;SharedAccessSignature=${sas};EndpointSuffix=core.windows.net`,
      "a SharedAccessSignature without TableEndpoint",
    ],
    [
      "a table endpoint that is no URL",
      `DefaultEndpointsProtocol=https;AccountName=x;AccountKey=${secretKey};TableEndpoint=x.table.core.windows.net`,
      "a TableEndpoint that is not an http(s) URL",
    ],
    [
      "development storage turned off",
      "UseDevelopmentStorage=false",
      "UseDevelopmentStorage with a value other than true",
    ],
    [
      "development storage mixed with an account",
      `UseDevelopmentStorage=true;AccountName=x;AccountKey=${secretKey}`,
      "UseDevelopmentStorage=true mixed with account settings",
    ],
    [
      "a development storage proxy that is no URL",
      "UseDevelopmentStorage=true;DevelopmentStorageProxyUri=localhost",
      "a DevelopmentStorageProxyUri that is not an http(s) URL",
    ],
  ])("refuses %s, naming what it expected and never the value", (_what, connection, defect) => {
    const problems = problemsOf({ ...minimal, AzureWebJobsStorage: connection });
    expect(problems).toEqual([`${storageExpected}${defect}`]);
    expect(problems.join("\n")).not.toContain(secretKey);
    expect(problems.join("\n")).not.toContain("sig=");
  });
});

describe("ncrontabProblem", () => {
  it.each([
    ["every five minutes", "0 */5 * * * *"],
    ["weekdays at nine", "0 0 9 * * 1-5"],
    ["day names", "0 30 9 * * Mon-Fri"],
    ["month names", "0 0 0 1 Jan,Jul *"],
    ["lists and ranges with steps", "0,30 0-30/10 * * * *"],
  ])("accepts %s", (_what, expression) => {
    expect(ncrontabProblem(expression)).toBeUndefined();
  });

  it.each([
    ["five fields", "*/5 * * * *", "5 fields"],
    ["seven fields", "0 0 * * * * 2025", "7 fields"],
    ["a minute of 60", "0 60 * * * *", "minute out of 0-59"],
    ["an hour of 24", "0 0 24 * * *", "hour out of 0-23"],
    ["a day of 0", "0 0 0 0 * *", "day out of 1-31"],
    ["a month of 13", "0 0 0 1 13 *", "month out of 1-12"],
    ["a day of week of 7", "0 0 0 * * 7", "day of week out of 0-6"],
    ["a step of 0", "*/0 * * * * *", "second step of 0"],
    ["a word in the hour field", "0 0 noon * * *", "bad hour 'noon'"],
    ["a range that runs backwards", "0 0 5-1 * * *", "hour range '5-1' runs backwards"],
    ["a word that is no month", "0 0 0 1 Foo *", "bad month 'Foo'"],
    ["a month name in the day-of-week field", "0 0 0 * * Jan", "bad day of week 'Jan'"],
  ])("refuses %s", (_what, expression, problem) => {
    expect(ncrontabProblem(expression)).toBe(problem);
  });
});
