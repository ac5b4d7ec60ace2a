/**
 * The operator's command line end to end, offline: real arguments into `main`, the stand-in behind
 * the real SDK clients, the test run's Azurite for the ledger, and the exit codes scripts rely on.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, inject, it } from "vitest";
import { type Output, main } from "../src/cli/main";
import { settingsEnvironment } from "../src/cli/settings";
import { SettingsError } from "../src/lib/config";
import { demoAccountId, demoKid, demoSeededVersion, keyVaultEvent } from "./support/demo";

const saved = { ...process.env };
const scenario = "scenarios/demo.json";
let tables = 0;

function capture() {
  let text = "";
  const stream: Output = {
    write(chunk: string | Uint8Array): boolean {
      text += typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8");
      return true;
    },
  };
  return { stream, text: () => text };
}

async function run(...argv: string[]) {
  const out = capture();
  const err = capture();
  const code = await main(argv, out.stream, err.stream);
  return { code, out: out.text(), err: err.text() };
}

function file(name: string, content: unknown): string {
  const dir = mkdtempSync(path.join(tmpdir(), "batch-cmk-guard-cli-"));
  const target = path.join(dir, name);
  writeFileSync(target, typeof content === "string" ? content : JSON.stringify(content));
  return target;
}

beforeEach(() => {
  for (const name of Object.keys(process.env)) {
    if (/^BATCH_CMK_|^AzureWebJobsStorage/.test(name)) delete process.env[name];
  }
  // The run's own Azurite and fresh tables: no private Azurite per command, no shared rows.
  process.env.AzureWebJobsStorage = inject("azuriteConnectionString");
  process.env.BATCH_CMK_LEDGER_TABLE = `cliledger${process.pid}${tables}`;
  process.env.BATCH_CMK_ALERT_TABLE = `clialerts${process.pid}${tables++}`;
});

afterEach(() => {
  for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
  Object.assign(process.env, saved);
});

describe("batch-cmk-guard", () => {
  it("probes a scenario's own subscriptions when only --simulate is given", async () => {
    const { code, out } = await run("probe", "--simulate", scenario);

    expect(code).toBe(0);
    expect(out).toContain(
      "probed 3 account(s), 0 critical, 0 warning, 0 unknown, 1 with a platform-managed key skipped",
    );
    expect(out).toMatch(/^batchprod\s+contoso-cmk\/batch-cmk@7d2e3b4a\s+healthy/m);
  });

  it("prints one JSON object per account with --json", async () => {
    const { code, out } = await run("probe", "--simulate", scenario, "--json");

    expect(code).toBe(0);
    const results = out
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { accountId: string; status: string });
    expect(results.map(({ accountId, status }) => [accountId, status])).toEqual(
      ["batchprod", "batchetl", "batchfollow"].map((name) => [demoAccountId(name), "healthy"]),
    );
  });

  it("exits 3 when an account could not be seen and none is critical", async () => {
    const { code, out } = await run(
      "probe",
      "--simulate",
      scenario,
      "--account",
      demoAccountId("batchnope"),
    );

    expect(code).toBe(3);
    expect(out).toMatch(/^batchnope\s+-\s+unknown\s+not probed\s+404 ResourceNotFound/m);
  });

  it("replays a delivery, records the change, and prints the command that undoes it", async () => {
    const replayed = await run(
      "replay",
      file("expired.json", keyVaultEvent("KeyNearExpiry", demoSeededVersion)),
      "--simulate",
      scenario,
    );
    // The stand-in lives as long as one command, so the history is read in the same run's tables.
    expect(replayed.code).toBe(0);
    expect(replayed.out).toMatch(
      /^batchprod\s+contoso-cmk\/batch-cmk@7d2e3b4a\s+contoso-cmk\/batch-cmk@\w{8}\s+changed\s+MoveOffExpiringVersion/m,
    );

    const history = await run("history", "--simulate", scenario);

    expect(history.code).toBe(0);
    expect(history.out).toContain("to undo a change, newest first:");
    expect(history.out).toContain(
      `az batch account set --subscription 6f1d2c3b-4a59-4e8d-9c7b-1a2b3c4d5e6f --resource-group batch-rg --name batchprod --encryption-key-identifier ${demoKid(demoSeededVersion)}`,
    );
  });

  it("changes nothing in a dry run and exits 0", async () => {
    const { code, out } = await run(
      "replay",
      file("near.json", keyVaultEvent("KeyNearExpiry", demoSeededVersion)),
      "--simulate",
      scenario,
      "--dry-run",
    );

    expect(code).toBe(0);
    expect(out).toMatch(/^batchprod\s+\S+\s+contoso-cmk\/batch-cmk@\(rotated\)\s+would-change/m);
    expect((await run("history", "--simulate", scenario)).out.trim()).toBe("no changes recorded");
  });

  it("exits 1 when a replayed event is rejected, naming the problem", async () => {
    const hostile = keyVaultEvent("KeyNewVersionCreated", demoSeededVersion, {
      data: {
        Id: `https://contoso-cmk.vault.azure.net.evil.example/keys/batch-cmk/${demoSeededVersion}`,
      },
    });

    const { code, out } = await run(
      "replay",
      file("hostile.json", hostile),
      "--simulate",
      scenario,
    );

    expect(code).toBe(1);
    expect(out).toMatch(/rejected event .*is not a Key Vault host of the public cloud/);
  });

  it("reads every file before handling any, so a missing one changes nothing", async () => {
    const good = file("good.json", keyVaultEvent("KeyNearExpiry", demoSeededVersion));

    const { code, err } = await run(
      "replay",
      good,
      "/nonexistent/missing.json",
      "--simulate",
      scenario,
    );

    expect(code).toBe(2);
    expect(err.startsWith("replay: no such file '/nonexistent/missing.json'")).toBe(true);
    expect((await run("history", "--simulate", scenario)).out.trim()).toBe("no changes recorded");
  });

  it.each([
    ["help", ["help"], 0, "usage: batch-cmk-guard"],
    ["--help", ["--help"], 0, "usage: batch-cmk-guard"],
    ["no command", [], 2, "no command given"],
    [
      "an unknown command, before any setting is read",
      ["frobnicate"],
      2,
      "unknown command 'frobnicate'",
    ],
    ["a stray argument", ["probe", "extra"], 2, "probe takes no arguments, found 'extra'"],
    [
      "an option the command does not take",
      ["probe", "--limit", "5"],
      2,
      "probe does not take --limit",
    ],
    [
      "an option the demo does not take",
      ["demo", "--simulate", "x.json"],
      2,
      "demo does not take --simulate",
    ],
    [
      "an account that is not a resource id",
      ["probe", "--account", "batchprod"],
      2,
      "--account: expected a Batch account resource id",
    ],
    [
      "a cloud the scenario is not in",
      ["probe", "--simulate", scenario],
      2,
      "the scenario is for the public cloud but BATCH_CMK_CLOUD is china",
    ],
  ])("answers %s with exit %i", async (what, argv, expectedCode, text) => {
    if (what.startsWith("a cloud")) process.env.BATCH_CMK_CLOUD = "china";

    const { code, out, err } = await run(...argv);

    expect(code).toBe(expectedCode);
    expect(`${out}${err}`).toContain(text);
  });
});

describe("a simulated run with settings that cannot fit the scenario", () => {
  it("fails before starting any storage of its own, so nothing is left running", async () => {
    delete process.env.AzureWebJobsStorage;
    process.env.BATCH_CMK_CLOUD = "china";

    const { code, err } = await run("probe", "--simulate", scenario);

    expect(code).toBe(2);
    // Exactly this line, and no "using a private in-memory Azurite": nothing was started first.
    expect(err).toBe(
      "scenarios/demo.json: the scenario is for the public cloud but BATCH_CMK_CLOUD is china\n",
    );
  });
});

describe("settings from local.settings.json", () => {
  it("refuses a value that is not a string, naming it", () => {
    const dir = path.dirname(
      file("local.settings.json", { Values: { BATCH_CMK_SUBSCRIPTION_IDS: 5 } }),
    );

    expect(() => settingsEnvironment(dir, {})).toThrow(
      new SettingsError([
        "local.settings.json: Values.BATCH_CMK_SUBSCRIPTION_IDS must be a string, found number",
      ]),
    );
  });

  it("lets the environment override the file", () => {
    const dir = path.dirname(
      file("local.settings.json", {
        Values: { BATCH_CMK_DRY_RUN: "true", BATCH_CMK_CLOUD: "china" },
      }),
    );

    expect(settingsEnvironment(dir, { BATCH_CMK_CLOUD: "usgov" })).toEqual({
      BATCH_CMK_DRY_RUN: "true",
      BATCH_CMK_CLOUD: "usgov",
    });
  });
});
