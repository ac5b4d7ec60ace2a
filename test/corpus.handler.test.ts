/**
 * The hostile-delivery corpus through the whole handler, not just the parser: each entry is
 * delivered the way the Event Grid trigger hands it in (a parsed object) and the way `replay`
 * reads a file (`parseDeliveryText`), into a world built from scenarios/demo.json. A guard around
 * the stand-in's transport fails any request to a host other than the scenario's ARM host and its
 * one vault; rejected and ignored entries must send nothing at all, change no account and write no
 * ledger row, log exactly one line per event naming the reason, and be acknowledged.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type HttpClient, RestError } from "@azure/core-rest-pipeline";
import { afterAll, beforeAll, describe, expect, inject, it, vi } from "vitest";
import { type Output, main } from "../src/cli/main";
import type { DeliveryResult } from "../src/lib/delivery";
import { type EventOptions, parseDeliveryText } from "../src/lib/events";
import { cloudEndpoints } from "../src/standin/clouds";
import type { Registration } from "./setup/functionsCore";
import { type CorpusEntry, corpus } from "./support/corpus";
import { demoSubscription, loadDemoScenario } from "./support/demo";
import { type World, createWorld } from "./support/harness";

/** A guard over the stand-in's transport: anything not for a trusted host is recorded and fails. */
interface HostGuard {
  readonly trusted: readonly string[];
  readonly refused: string[];
  wrap(client: HttpClient): HttpClient;
}

function hostGuard(trusted: readonly string[]): HostGuard {
  const refused: string[] = [];
  return {
    trusted,
    refused,
    wrap: (inner) => ({
      sendRequest: async (request) => {
        const url = new URL(request.url);
        const host = url.hostname.toLowerCase();
        if (url.protocol !== "https:" || !trusted.includes(host)) {
          refused.push(`${request.method} ${url.protocol}//${host}${url.pathname}`);
          throw new RestError(`test guard: ${host} is not a trusted host`, {
            code: RestError.REQUEST_SEND_ERROR,
            request,
          });
        }
        return inner.sendRequest(request);
      },
    }),
  };
}

interface GuardedWorld {
  readonly world: World;
  readonly guard: HostGuard;
}

/**
 * One world per set of options. The stand-in speaks the configured cloud (the demo scenario moved
 * to China for the China entries), so the trusted hosts are that cloud's ARM host and the
 * scenario's one vault: `management.azure.com` and `contoso-cmk.vault.azure.net` in public.
 */
const worlds = new Map<string, GuardedWorld>();

function worldFor(options: EventOptions | undefined): GuardedWorld {
  const cloud = options?.cloud ?? "public";
  const allowlist = options?.vaultAllowlist ?? [];
  const key = `${cloud}|${allowlist.join(",")}`;
  let found = worlds.get(key);
  if (found === undefined) {
    const endpoints = cloudEndpoints[cloud];
    const guard = hostGuard([endpoints.armHost, `contoso-cmk.${endpoints.vaultSuffix}`]);
    const env: Record<string, string> = { BATCH_CMK_CLOUD: cloud };
    if (allowlist.length > 0) env.BATCH_CMK_VAULT_ALLOWLIST = allowlist.join(",");
    const world = createWorld(loadDemoScenario({ cloud }), env, {
      wrapHttpClient: guard.wrap,
    });
    found = { world, guard };
    worlds.set(key, found);
  }
  return found;
}

/** The body as the trigger hands it in: parsed JSON; a raw string that is not JSON stays a string. */
function triggerBody(entry: CorpusEntry): unknown {
  if (entry.generate) return Array.from({ length: entry.generate.repeat }, () => entry.body);
  if (typeof entry.body !== "string") return entry.body;
  try {
    return JSON.parse(entry.body);
  } catch {
    return entry.body;
  }
}

/** The text `replay` would read from a file. */
function replayText(entry: CorpusEntry): string {
  if (typeof entry.body === "string") return entry.body;
  return JSON.stringify(triggerBody(entry));
}

function snapshots(world: World) {
  return world.standIn.scenario.accounts.map((account) => world.standIn.getAccount(account.id));
}

type EntryPoint = "trigger" | "replay";

async function deliver(entry: CorpusEntry, via: EntryPoint, world: World): Promise<DeliveryResult> {
  if (via === "trigger") return world.runtime.handleDelivery(triggerBody(entry), world.log);
  const events = parseDeliveryText(replayText(entry), world.settings);
  return world.runtime.handleEvents(events, world.log);
}

/** A raw non-JSON string reaches the trigger path only as a string, with its own reason. */
function reasonApplies(entry: CorpusEntry, via: EntryPoint): boolean {
  return !(
    via === "trigger" &&
    typeof entry.body === "string" &&
    triggerBody(entry) === entry.body
  );
}

const cases = corpus.flatMap((entry) =>
  (["trigger", "replay"] as const).map((via) => [`${via}: ${entry.name}`, entry, via] as const),
);

describe("the hostile-delivery corpus through the whole handler", () => {
  afterAll(() => {
    // Nothing reached a host the guard or the stand-in refused, across every entry.
    for (const { world, guard } of worlds.values()) {
      expect(guard.refused).toEqual([]);
      expect(world.standIn.untrustedRequests).toEqual([]);
    }
  });

  it("covers every entry of the corpus by both entry points", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(130);
    expect(cases).toHaveLength(corpus.length * 2);
  });

  it.each(cases)("%s", async (_name, entry, via) => {
    const { world, guard } = worldFor(entry.options);
    world.standIn.reset();
    world.log.lines.length = 0;
    guard.refused.length = 0;
    const before = snapshots(world);

    const result = await deliver(entry, via, world);

    expect(guard.refused).toEqual([]);
    expect(world.standIn.untrustedRequests).toEqual([]);
    for (const request of world.standIn.requests) expect(guard.trusted).toContain(request.host);
    expect(result.retryable).toBe(false);
    expect(snapshots(world)).toEqual(before);
    expect(await world.runtime.history()).toEqual([]);
    expect(result.reports.length).toBeGreaterThan(0);
    for (const { line } of world.log.lines) expect(line).not.toMatch(/[\r\n]/);

    if (entry.expect.outcome === "accepted") {
      for (const report of result.reports) expect(["key", "vault-policy"]).toContain(report.kind);
      // It did real work through the guard: it listed the watched subscription's accounts.
      expect(world.standIn.count("batch.list")).toBeGreaterThan(0);
      return;
    }

    // Rejected or ignored: nothing was sent at all, and one line per event says why.
    expect(world.standIn.requests).toEqual([]);
    expect(result.reports.map((report) => report.kind)).toEqual(
      result.reports.map(() => entry.expect.outcome),
    );
    const level = entry.expect.outcome === "rejected" ? "warn" : "debug";
    expect(world.log.lines.map((line) => line.level)).toEqual(result.reports.map(() => level));
    result.reports.forEach((report, index) => {
      const line = world.log.lines[index]?.line ?? "";
      const reason = "reason" in report ? report.reason : "";
      expect(line).toContain(`${entry.expect.outcome} event: ${reason}`);
      if (reasonApplies(entry, via)) expect(reason).toContain(entry.expect.reasonContains);
    });
  });

  it("rejects the 5001-event delivery with one warn line, whichever way it comes", async () => {
    const entry = corpus.find((candidate) => candidate.generate !== undefined);
    expect(entry?.generate?.repeat).toBe(5001);
    const { world } = worldFor(undefined);
    world.log.lines.length = 0;

    const viaTrigger = await deliver(entry as CorpusEntry, "trigger", world);
    const viaReplay = await deliver(entry as CorpusEntry, "replay", world);

    expect([viaTrigger.reports.length, viaReplay.reports.length]).toEqual([1, 1]);
    expect(world.log.lines).toEqual([
      {
        level: "warn",
        line: "rejected event: delivery has 5001 events, more than the limit of 5000",
      },
      {
        level: "warn",
        line: "rejected event: delivery has 5001 events, more than the limit of 5000",
      },
    ]);
  });
});

describe("hostile deliveries through the registered Event Grid Function", () => {
  const saved = { ...process.env };
  let handler: Registration["handler"];

  beforeAll(async () => {
    process.env.BATCH_CMK_SIMULATE = "scenarios/demo.json";
    process.env.BATCH_CMK_SUBSCRIPTION_IDS = demoSubscription;
    process.env.AzureWebJobsStorage = inject("azuriteConnectionString");
    process.env.BATCH_CMK_LEDGER_TABLE = "corpusfnledger";
    process.env.BATCH_CMK_ALERT_TABLE = "corpusfnalerts";
    const registrations = (globalThis as { __functionRegistrations?: Registration[] })
      .__functionRegistrations as Registration[];
    const already = registrations.length;
    vi.resetModules();
    await import("../src/functions/keyVaultEvents");
    const mine = registrations.slice(already);
    expect(mine.map((registration) => registration.metadata.name)).toEqual(["keyVaultEvents"]);
    handler = (mine[0] as Registration).handler;
  });

  afterAll(() => {
    for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
    Object.assign(process.env, saved);
  });

  const picked = [
    "An empty object is rejected for having no event type",
    "A key id on a look-alike host ending in vault.azure.net.evil.com is rejected",
    "A key id that puts the vault host in userinfo before evil.com is rejected",
    "A key id over http is rejected",
    "A VaultName carrying a forged log line is rejected with the line break escaped",
    "A key id of three thousand characters is rejected without echoing it",
    "An array holding null is rejected",
    "A secret new version event is ignored",
    "A CloudEvent with specversion 0.3 is rejected",
  ];

  it.each(picked)("acknowledges: %s", async (name) => {
    const entry = corpus.find((candidate) => candidate.name === name) as CorpusEntry;
    expect(entry).toBeDefined();
    const { InvocationContext } = await import("@azure/functions");
    const lines: Array<{ level: string; text: string }> = [];
    const context = new InvocationContext({
      invocationId: "5b0e8f7a-2c4d-4e6f-8a9b-0c1d2e3f4a5b",
      functionName: "keyVaultEvents",
      logHandler: (level, ...args) => lines.push({ level, text: args.map(String).join(" ") }),
    });

    await expect(handler(triggerBody(entry), context)).resolves.toBeUndefined();

    const level = entry.expect.outcome === "rejected" ? "warning" : "debug";
    expect(lines.map((line) => line.level)).toEqual([level]);
    expect(lines[0]?.text).toContain(entry.expect.reasonContains);
    expect(lines[0]?.text).not.toMatch(/[\r\n]/);
  });
});

describe("hostile files through the command line's replay", () => {
  it("reports every rejected and ignored entry, exits 1 and logs one warn line per rejection", async () => {
    const entries = corpus.filter(
      (entry) =>
        entry.expect.outcome !== "accepted" && entry.options === undefined && !entry.generate,
    );
    const directory = mkdtempSync(path.join(tmpdir(), "corpus-replay-"));
    const files = entries.map((entry, index) => {
      const file = path.join(directory, `${String(index).padStart(3, "0")}.json`);
      writeFileSync(file, replayText(entry));
      return file;
    });
    const saved = { ...process.env };
    process.env.BATCH_CMK_SUBSCRIPTION_IDS = demoSubscription;
    process.env.AzureWebJobsStorage = inject("azuriteConnectionString");
    process.env.BATCH_CMK_LEDGER_TABLE = "corpuscliledger";
    process.env.BATCH_CMK_ALERT_TABLE = "corpusclialerts";
    let out = "";
    let err = "";
    const stream = (write: (text: string) => void) =>
      ({ write: (chunk: string) => (write(chunk), true) }) as Output;
    let code: number;
    try {
      code = await main(
        ["replay", ...files, "--simulate", "scenarios/demo.json", "--json"],
        stream((text) => (out += text)),
        stream((text) => (err += text)),
      );
    } finally {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
      rmSync(directory, { recursive: true, force: true });
    }

    // Rejected events are acknowledged, as the function does, but an operator is told by the code.
    expect(code).toBe(1);
    const reports = out
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { file: string; kind: string; reason: string });
    const byFile = new Map<string, typeof reports>();
    for (const report of reports)
      byFile.set(report.file, [...(byFile.get(report.file) ?? []), report]);
    entries.forEach((entry, index) => {
      const found = byFile.get(files[index] as string) ?? [];
      expect(found.length, entry.name).toBeGreaterThan(0);
      for (const report of found) {
        expect(report.kind, entry.name).toBe(entry.expect.outcome);
        expect(report.reason, entry.name).toContain(entry.expect.reasonContains);
      }
    });
    const rejections = reports.filter((report) => report.kind === "rejected").length;
    const errLines = err.trim().split("\n");
    expect(errLines.filter((line) => line.startsWith("warn  rejected event: "))).toHaveLength(
      rejections,
    );
    expect(errLines.filter((line) => line.startsWith("error"))).toEqual([]);
  });
});
