/**
 * A half-configured app refuses to run: loading the Functions entry with bad settings throws a
 * `SettingsError` naming every bad setting and what it expected (so the host reports the app as
 * failed to load and registers nothing), and the command line exits 2 with the same message.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type Output, main } from "../src/cli/main";
import { loadSettings } from "../src/lib/config";
import type { Registration } from "./setup/functionsCore";
import { demoSubscription } from "./support/demo";

/** One bad value per kind of check, each naming a different setting. */
const badSettings: Record<string, string> = {
  BATCH_CMK_ACCOUNT_IDS: "/subscriptions/not-a-guid/batchAccounts/prod",
  BATCH_CMK_SUBSCRIPTION_IDS: `${demoSubscription},12345`,
  BATCH_CMK_PROBE_SCHEDULE: "*/5 * * * *",
  BATCH_CMK_CLOUD: "germany",
  BATCH_CMK_NEAR_EXPIRY_ACTION: "ignore",
  BATCH_CMK_REMINDER_INTERVAL_MINUTES: "-30",
  BATCH_CMK_VAULT_ALLOWLIST: "contoso-cmk,https://contoso.blob.core.windows.net/",
};

/** Each bad setting and the words of what it expected. */
const expectedProblems = [
  "BATCH_CMK_CLOUD: expected one of public, china, usgov, found 'germany'",
  "BATCH_CMK_ACCOUNT_IDS: expected Batch account resource ids (/subscriptions/<guid>/resourceGroups/<rg>/providers/Microsoft.Batch/batchAccounts/<name>), found '/subscriptions/not-a-guid/batchAccounts/prod'",
  "BATCH_CMK_SUBSCRIPTION_IDS: expected subscription GUIDs, found '12345'",
  "BATCH_CMK_VAULT_ALLOWLIST: expected vault names, vault URLs or vault resource ids, found 'https://contoso.blob.core.windows.net/'",
  "BATCH_CMK_NEAR_EXPIRY_ACTION: expected rotate or alert, found 'ignore'",
  "BATCH_CMK_PROBE_SCHEDULE: expected a six-field NCRONTAB expression (5 fields), found '*/5 * * * *'",
  "BATCH_CMK_REMINDER_INTERVAL_MINUTES: expected a whole number from 1 to 10080, found '-30'",
];

const halfConfigured = {
  AzureWebJobsStorage: "UseDevelopmentStorage=true",
};
const halfConfiguredProblem =
  "BATCH_CMK_ACCOUNT_IDS or BATCH_CMK_SUBSCRIPTION_IDS: expected at least one Batch account id or subscription to watch, found neither";

const ownedNames = /^(BATCH_CMK_|AzureWebJobsStorage|APPLICATIONINSIGHTS_)/;
const saved = { ...process.env };

/** Replaces every setting of ours in `process.env` with `values`. */
function useSettings(values: Record<string, string>): void {
  for (const name of Object.keys(process.env)) if (ownedNames.test(name)) delete process.env[name];
  Object.assign(process.env, values);
}

function registrations(): Registration[] {
  return (globalThis as { __functionRegistrations?: Registration[] }).__functionRegistrations ?? [];
}

/** A writable stream that keeps what is written, as `main` takes it. */
function capture() {
  let text = "";
  const stream = {
    write(chunk: string | Uint8Array): boolean {
      text += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      return true;
    },
  } as Output;
  return { stream, text: () => text };
}

beforeEach(() => {
  vi.resetModules();
});

afterEach(() => {
  for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
  Object.assign(process.env, saved);
});

describe("loading the Functions entry", () => {
  it("throws a SettingsError naming each bad setting and what it expected", async () => {
    useSettings(badSettings);

    const loading = import("../src/functions/host");

    await expect(loading).rejects.toMatchObject({ name: "SettingsError" });
    const error = (await loading.catch((thrown: unknown) => thrown)) as {
      message: string;
      problems: string[];
    };
    expect(error.problems).toEqual(expectedProblems);
    expect(error.message).toBe(`invalid settings:\n  - ${expectedProblems.join("\n  - ")}`);
  });

  it("refuses a half-configured app that names nothing to watch", async () => {
    useSettings(halfConfigured);

    await expect(import("../src/functions/host")).rejects.toMatchObject({
      name: "SettingsError",
      problems: [halfConfiguredProblem],
    });
  });

  it("registers no trigger when the settings are bad", async () => {
    useSettings(badSettings);
    const before = registrations().length;

    await expect(import("../src/functions/keyVaultEvents")).rejects.toMatchObject({
      name: "SettingsError",
    });
    await expect(import("../src/functions/probeTimer")).rejects.toMatchObject({
      name: "SettingsError",
    });
    expect(registrations()).toHaveLength(before);
  });

  it("does not repeat a secret pasted into the wrong setting", async () => {
    const sas = "sv=2022-11-02&ss=t&sig=Q2hhbmdlTWVQbGVhc2UxMjM0NTY3ODkw%3D";
    useSettings({
      BATCH_CMK_SUBSCRIPTION_IDS: demoSubscription,
      BATCH_CMK_ALERT_TOPIC_ENDPOINT: `https://contoso.table.core.windows.net/?${sas}`,
    });

    const error = (await import("../src/functions/host").catch((thrown: unknown) => thrown)) as {
      message: string;
    };

    expect(error.message).toContain("BATCH_CMK_ALERT_TOPIC_ENDPOINT: expected an Event Grid topic");
    expect(error.message).toContain("sig=[redacted]");
    expect(error.message).not.toContain("Q2hhbmdlTWVQbGVhc2U");
  });

  it("loads when the settings are good", async () => {
    useSettings({
      BATCH_CMK_SUBSCRIPTION_IDS: demoSubscription,
      BATCH_CMK_SIMULATE: "scenarios/demo.json",
    });

    const host = await import("../src/functions/host");

    expect(host.settings.subscriptionIds).toEqual([demoSubscription]);
  });
});

describe("the command line with bad settings or options", () => {
  it("exits 2 with the same message as the Functions entry for bad settings", async () => {
    useSettings(badSettings);
    const out = capture();
    const err = capture();
    const message = (() => {
      try {
        loadSettings(process.env);
      } catch (error) {
        return (error as Error).message;
      }
      return "loadSettings accepted the bad settings";
    })();

    const code = await main(["probe"], out.stream, err.stream);

    expect(code).toBe(2);
    expect(err.text()).toBe(`${message}\n`);
    expect(message).toBe(`invalid settings:\n  - ${expectedProblems.join("\n  - ")}`);
    expect(out.text()).toBe("");
  });

  it("exits 2 for a half-configured app", async () => {
    useSettings(halfConfigured);
    const out = capture();
    const err = capture();

    const code = await main(["history"], out.stream, err.stream);

    expect(code).toBe(2);
    expect(err.text()).toBe(`invalid settings:\n  - ${halfConfiguredProblem}\n`);
  });

  it.each([
    ["an unknown option", ["probe", "--bogus"], "unknown option --bogus"],
    ["an option that needs a value without one", ["probe", "--account"], "--account needs a value"],
    ["a switch given a value", ["probe", "--json=yes"], "--json takes no value"],
    ["an unknown command", ["rotate-everything"], "unknown command 'rotate-everything'"],
  ])("exits 2 with the usage for %s", async (_what, argv, problem) => {
    useSettings({ BATCH_CMK_SUBSCRIPTION_IDS: demoSubscription });
    const out = capture();
    const err = capture();

    const code = await main(argv, out.stream, err.stream);

    expect(code).toBe(2);
    expect(err.text().startsWith(`${problem}\n\nusage: batch-cmk-guard <command> [options]`)).toBe(
      true,
    );
    expect(out.text()).toBe("");
  });

  it("checks the options before the settings", async () => {
    useSettings(badSettings);
    const err = capture();

    const code = await main(["probe", "--bogus"], capture().stream, err.stream);

    expect(code).toBe(2);
    expect(err.text()).toContain("unknown option --bogus");
    expect(err.text()).not.toContain("invalid settings");
  });
});
