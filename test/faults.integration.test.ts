/**
 * Faults between the product and Azure (or its own storage), injected into the stand-in behind the
 * real SDK clients: what each leaves behind in the accounts, the ledger and the alerts, how long an
 * invocation takes under it, and that a redelivery finishes the work without doing anything twice.
 */
import { type HttpClient, RestError } from "@azure/core-rest-pipeline";
import { inject } from "vitest";
import { describe, expect, it } from "vitest";
import { createTableLedger } from "../src/lib/azure/ledgerTable";
import { createTableClient } from "../src/lib/azure/storage";
import { loadSettings } from "../src/lib/config";
import type { Ledger } from "../src/lib/ledger";
import { type Runtime, type RuntimeOptions, createRuntime } from "../src/lib/runtime";
import type { FaultAction, FaultRule } from "../src/standin";
import {
  demoAccountId,
  demoKid,
  demoSeededVersion,
  demoSubscription,
  keyVaultEvent,
  loadDemoScenario,
} from "./support/demo";
import { type World, createWorld } from "./support/harness";

const seededKid = demoKid(demoSeededVersion);
const versionless = demoKid();
const newVersionEvent = (version: string) => keyVaultEvent("KeyNewVersionCreated", version);

/** A world with one new usable version of the demo key; the request log starts empty. */
function worldWithNewVersion(
  client: RuntimeOptions["client"] = {},
  env: Record<string, string> = {},
): { world: World; version: string; kid: string } {
  const world = createWorld(loadDemoScenario(), env, { client });
  const version = world.standIn.addKeyVersion("contoso-cmk", "batch-cmk");
  world.standIn.reset();
  return { world, version, kid: demoKid(version) };
}

/** Where each account's key points now. */
function keyIdentifiers(world: World): Record<string, string | undefined> {
  return Object.fromEntries(
    ["batchprod", "batchetl", "batchfollow"].map((name) => [
      name,
      world.standIn.getAccount(demoAccountId(name))?.keyIdentifier,
    ]),
  );
}

/** The ledger as rows a test can compare whole, ordered by account. */
async function ledgerRows(runtime: Runtime) {
  const entries = await runtime.history();
  return entries
    .map((entry) => ({
      account: entry.accountId.split("/").at(-1),
      previousKeyIdentifier: entry.previousKeyIdentifier,
      newKeyIdentifier: entry.newKeyIdentifier,
      eventId: entry.eventId,
      outcome: entry.outcome,
      detail: entry.detail,
    }))
    .sort((a, b) => `${a.account}`.localeCompare(`${b.account}`));
}

function alertLines(world: World): string[] {
  return world.alerts.map(
    (alert) => `${alert.kind} ${alert.check} ${alert.accountId.split("/").at(-1)}`,
  );
}

function patches(world: World): string[] {
  return world.standIn.requests
    .filter((request) => request.operation === "batch.update")
    .map((request) => `${request.path.split("/").at(-1)} ${request.status ?? request.fault}`);
}

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const began = performance.now();
  const value = await work();
  return { value, ms: performance.now() - began };
}

/** A `ledgerRows` row for a move off the seeded version that landed. */
const applied = (account: string, kid: string, eventId: string) => ({
  account,
  previousKeyIdentifier: seededKid,
  newKeyIdentifier: kid,
  eventId,
  outcome: "applied",
  detail: undefined,
});

/** A `ledgerRows` row for a move off the seeded version that failed, its detail matching. */
const failed = (account: string, kid: string, eventId: string, detail: RegExp) => ({
  account,
  previousKeyIdentifier: seededKid,
  newKeyIdentifier: kid,
  eventId,
  outcome: "failed",
  detail: expect.stringMatching(detail),
});

/** What `keyIdentifiers` should find: the pinned accounts on these keys, batchfollow versionless. */
const keysOn = (batchprod: string, batchetl = batchprod) => ({
  batchprod,
  batchetl,
  batchfollow: versionless,
});

/** The ledger rows once both pinned accounts moved to `kid` for one event. */
const bothApplied = (kid: string, eventId: string) => [
  applied("batchetl", kid, eventId),
  applied("batchprod", kid, eventId),
];

/** A second runtime over the same stand-in and clock, with other settings or ledger. */
function sibling(
  world: World,
  env: Record<string, string>,
  ledger?: Ledger,
  httpClient: HttpClient = world.standIn.httpClient,
): Runtime {
  const settings = loadSettings({
    BATCH_CMK_SUBSCRIPTION_IDS: demoSubscription,
    AzureWebJobsStorage: world.settings.storageConnection ?? "",
    BATCH_CMK_LEDGER_TABLE: world.settings.ledgerTable,
    BATCH_CMK_ALERT_TABLE: world.settings.alertTable,
    ...env,
  });
  return createRuntime({
    settings,
    credential: world.standIn.credential,
    httpClient,
    now: world.now,
    client: { retryDelayMs: 5, maxRetryDelayMs: 50 },
    ...(ledger && { ledger }),
    alertSinks: [{ name: "test", send: (notification) => void world.alerts.push(notification) }],
  });
}

describe("faults on the PATCH: the delivery fails, the ledger says so, the redelivery finishes", () => {
  it.each<{ name: string; fault: FaultAction; detail: RegExp }>([
    {
      name: "500 Internal Server Error",
      fault: { status: 500 },
      detail: /^500 InternalServerError /,
    },
    { name: "503 Service Unavailable", fault: { status: 503 }, detail: /^503 ServiceUnavailable / },
    {
      name: "409 Conflict (another operation in progress)",
      fault: { status: 409, code: "AnotherOperationInProgress" },
      detail: /^409 AnotherOperationInProgress /,
    },
    {
      name: "429 with a Retry-After far beyond the bound",
      fault: { status: 429, retryAfter: 3600 },
      detail: /^429 /,
    },
    { name: "a connection reset", fault: { reset: true }, detail: /^ECONNRESET / },
    { name: "no answer at all", fault: { timeout: true }, detail: /Abort|timed out|ETIMEDOUT/ },
  ])(
    "$name on one account's PATCH: the other account moves, this one is recorded as failed and alerted, and the redelivery moves it once",
    async ({ fault, detail }) => {
      const { world, version, kid } = worldWithNewVersion({
        requestTimeoutMs: 200,
        maxRetries: 1,
        maxRetryDelayMs: 2_000,
      });
      world.standIn.addFault({ operation: "batch.update", path: /batchetl$/, ...fault });
      const event = newVersionEvent(version);

      const { value: first, ms } = await timed(() =>
        world.runtime.handleDelivery(event, world.log),
      );

      expect(first.retryable).toBe(true);
      // Two attempts of at most 200 ms each, and a Retry-After of an hour never waited for.
      expect(ms).toBeLessThan(5_000);
      expect(keyIdentifiers(world)).toEqual(keysOn(kid, seededKid));
      const rows = await ledgerRows(world.runtime);
      expect(rows).toEqual([
        failed("batchetl", kid, event.id, detail),
        applied("batchprod", kid, event.id),
      ]);
      expect(alertLines(world)).toEqual(["raised RotationPatchFailed batchetl"]);
      expect(world.standIn.untrustedRequests).toEqual([]);

      world.standIn.clearFaults();
      world.standIn.reset();
      const retry = await world.runtime.handleDelivery(event, world.log);

      expect(retry.retryable).toBe(false);
      expect(keyIdentifiers(world)).toEqual(keysOn(kid));
      // Only the account still to move is PATCHed; the failed row is taken over, not doubled.
      expect(patches(world)).toEqual(["batchetl 200"]);
      expect(await ledgerRows(world.runtime)).toEqual(bothApplied(kid, event.id));
      expect(alertLines(world)).toEqual([
        "raised RotationPatchFailed batchetl",
        "resolved RotationPatchFailed batchetl",
      ]);
      expect(world.standIn.getAccount(demoAccountId("batchetl"))?.updates).toBe(1);
      expect(world.standIn.getAccount(demoAccountId("batchprod"))?.updates).toBe(1);
      expect(world.standIn.untrustedRequests).toEqual([]);
    },
  );

  it.each<{ name: string; fault: FaultAction }>([
    { name: "500", fault: { status: 500 } },
    { name: "503", fault: { status: 503 } },
    { name: "a connection reset", fault: { reset: true } },
    { name: "no answer", fault: { timeout: true } },
  ])(
    "a single $name on a PATCH is retried by the client inside the invocation and leaves no trace",
    async ({ fault }) => {
      const { world, version, kid } = worldWithNewVersion({
        requestTimeoutMs: 200,
        maxRetries: 1,
      });
      world.standIn.addFault({ operation: "batch.update", path: /batchetl$/, times: 1, ...fault });
      const event = newVersionEvent(version);

      const result = await world.runtime.handleDelivery(event, world.log);

      expect(result.retryable).toBe(false);
      expect(keyIdentifiers(world)).toEqual(keysOn(kid));
      expect(patches(world).sort()).toEqual(
        [
          `batchetl ${"status" in fault ? fault.status : "reset" in fault ? "reset" : "timeout"}`,
          "batchetl 200",
          "batchprod 200",
        ].sort(),
      );
      expect(await ledgerRows(world.runtime)).toEqual(bothApplied(kid, event.id));
      expect(world.alerts).toEqual([]);
    },
  );
});

describe("faults while moving off an expired version", () => {
  /** The seeded version has expired; a newer usable one exists. */
  function expiredWorld() {
    const world = createWorld(loadDemoScenario(), {}, { start: "2027-06-02T09:00:00Z" });
    const version = world.standIn.addKeyVersion("contoso-cmk", "batch-cmk");
    world.standIn.reset();
    return { world, kid: demoKid(version) };
  }
  const expired = () => keyVaultEvent("KeyExpired", demoSeededVersion);

  it("a 503 on one PATCH of a KeyExpired event: recorded as failed and alerted, and the redelivery moves that account once", async () => {
    const { world, kid } = expiredWorld();
    world.standIn.addFault({ operation: "batch.update", path: /batchetl$/, status: 503 });

    const first = await world.runtime.handleDelivery(expired(), world.log);

    expect(first.retryable).toBe(true);
    expect(keyIdentifiers(world)).toEqual(keysOn(kid, seededKid));
    expect(await ledgerRows(world.runtime)).toEqual([
      failed("batchetl", kid, expired().id, /^503 ServiceUnavailable /),
      applied("batchprod", kid, expired().id),
    ]);
    expect(alertLines(world)).toEqual(["raised RotationPatchFailed batchetl"]);

    world.standIn.clearFaults();
    world.standIn.reset();
    const retry = await world.runtime.handleDelivery(expired(), world.log);

    expect(retry.retryable).toBe(false);
    expect(patches(world)).toEqual(["batchetl 200"]);
    expect(keyIdentifiers(world)).toEqual(keysOn(kid));
    expect(await ledgerRows(world.runtime)).toEqual(bothApplied(kid, expired().id));
    expect(alertLines(world)).toEqual([
      "raised RotationPatchFailed batchetl",
      "resolved RotationPatchFailed batchetl",
    ]);
    expect(world.standIn.untrustedRequests).toEqual([]);
  });

  it("a PATCH whose answer is lost after it landed: the row says failed, and the redelivery sees the account carries the change and marks it applied without a second PATCH", async () => {
    const { world, kid } = expiredWorld();
    // The stand-in applies every PATCH of batchetl, but each answer is lost on the way back.
    const original = world.standIn.httpClient.sendRequest.bind(world.standIn.httpClient);
    const lossy = sibling(world, {}, undefined, {
      sendRequest: async (request) => {
        const response = await original(request);
        if (request.method === "PATCH" && request.url.includes("batchetl")) {
          throw new RestError("read ECONNRESET", { code: "ECONNRESET", request });
        }
        return response;
      },
    });

    const first = await lossy.handleDelivery(expired(), world.log);

    expect(first.retryable).toBe(true);
    expect(keyIdentifiers(world)).toEqual(keysOn(kid));
    expect((await ledgerRows(world.runtime)).map((row) => row.outcome)).toEqual([
      "failed",
      "applied",
    ]);

    world.standIn.clearFaults();
    world.standIn.reset();
    const retry = await world.runtime.handleDelivery(expired(), world.log);

    expect(retry.retryable).toBe(false);
    expect(patches(world)).toEqual([]);
    expect(await ledgerRows(world.runtime)).toEqual(bothApplied(kid, expired().id));
  });
});

describe("429 Retry-After", () => {
  it("honours a short Retry-After: the client waits that long, then the PATCH goes through", async () => {
    const { world, version, kid } = worldWithNewVersion({ maxRetries: 2, maxRetryDelayMs: 5_000 });
    world.standIn.addFault({
      operation: "batch.update",
      path: /batchetl$/,
      status: 429,
      retryAfter: 1,
      times: 1,
    });

    const { value: result, ms } = await timed(() =>
      world.runtime.handleDelivery(newVersionEvent(version), world.log),
    );

    expect(result.retryable).toBe(false);
    expect(ms).toBeGreaterThanOrEqual(950);
    expect(ms).toBeLessThan(5_000);
    expect(patches(world).sort()).toEqual(["batchetl 200", "batchetl 429", "batchprod 200"]);
    expect(keyIdentifiers(world)).toEqual(keysOn(kid));
    expect((await ledgerRows(world.runtime)).map((row) => row.outcome)).toEqual([
      "applied",
      "applied",
    ]);
    expect(world.alerts).toEqual([]);
  });

  it("does not wait out an hour's Retry-After on a key read: nothing changes, nothing is recorded, the delivery is retried", async () => {
    const { world, version, kid } = worldWithNewVersion({ maxRetries: 3, maxRetryDelayMs: 2_000 });
    const throttle = world.standIn.addFault({
      operation: "keys.versions",
      status: 429,
      retryAfter: 3600,
    });
    const event = newVersionEvent(version);

    const { value: first, ms } = await timed(() => world.runtime.handleDelivery(event, world.log));

    expect(first.retryable).toBe(true);
    expect(ms).toBeLessThan(3_000);
    // Handed back at once rather than retried after an hour.
    expect(throttle.hits).toBe(1);
    expect(keyIdentifiers(world)).toEqual(keysOn(seededKid));
    expect(await world.runtime.history()).toEqual([]);
    expect(world.alerts).toEqual([]);

    world.standIn.clearFaults();
    const retry = await world.runtime.handleDelivery(event, world.log);

    expect(retry.retryable).toBe(false);
    expect(keyIdentifiers(world)).toEqual(keysOn(kid));
    expect(await ledgerRows(world.runtime)).toEqual(bothApplied(kid, event.id));
    expect(world.standIn.untrustedRequests).toEqual([]);
  });
});

describe("faults before any change", () => {
  it.each<{ name: string; fault: FaultRule }>([
    { name: "the account list resets", fault: { operation: "batch.list", reset: true } },
    { name: "the account list answers 503", fault: { operation: "batch.list", status: 503 } },
    { name: "the key versions never answer", fault: { operation: "keys.versions", timeout: true } },
    { name: "the key version GET answers 500", fault: { operation: "keys.get", status: 500 } },
    {
      name: "the fresh account GET resets",
      fault: { operation: "batch.get", reset: true },
    },
  ])(
    "when $name, no account changes, nothing is recorded or alerted, and the redelivery does the work",
    async ({ fault }) => {
      const { world, version, kid } = worldWithNewVersion({
        requestTimeoutMs: 200,
        maxRetries: 1,
      });
      world.standIn.addFault(fault);
      const event = newVersionEvent(version);

      const { value: first, ms } = await timed(() =>
        world.runtime.handleDelivery(event, world.log),
      );

      expect(first.retryable).toBe(true);
      expect(ms).toBeLessThan(5_000);
      expect(patches(world)).toEqual([]);
      expect(keyIdentifiers(world)).toEqual(keysOn(seededKid));
      expect(await world.runtime.history()).toEqual([]);
      expect(world.alerts).toEqual([]);

      world.standIn.clearFaults();
      const retry = await world.runtime.handleDelivery(event, world.log);

      expect(retry.retryable).toBe(false);
      expect(keyIdentifiers(world)).toEqual(keysOn(kid));
      expect(patches(world).sort()).toEqual(["batchetl 200", "batchprod 200"]);
      expect(await ledgerRows(world.runtime)).toEqual(bothApplied(kid, event.id));
      expect(world.standIn.untrustedRequests).toEqual([]);
    },
  );
});

describe("403 appearing mid-run", () => {
  it("a 403 on the second account's PATCH: the first moved, the second is recorded as failed and alerted; once access is back a replay moves it", async () => {
    const { world, version, kid } = worldWithNewVersion({}, { BATCH_CMK_MAX_CONCURRENCY: "1" });
    world.standIn.addFault({
      operation: "batch.update",
      path: /batchetl$/,
      status: 403,
      code: "AuthorizationFailed",
    });
    const event = newVersionEvent(version);

    const first = await world.runtime.handleDelivery(event, world.log);

    // Our identity lost write access: redelivering will not help until someone restores it, so the
    // delivery is not failed; the alert tells the operator instead.
    expect(first.retryable).toBe(false);
    expect(keyIdentifiers(world)).toEqual(keysOn(kid, seededKid));
    expect(await ledgerRows(world.runtime)).toEqual([
      failed("batchetl", kid, event.id, /^403 AuthorizationFailed /),
      applied("batchprod", kid, event.id),
    ]);
    expect(alertLines(world)).toEqual(["raised RotationPatchFailed batchetl"]);

    world.standIn.clearFaults();
    world.standIn.reset();
    const replay = await world.runtime.handleDelivery(event, world.log);

    expect(replay.retryable).toBe(false);
    expect(patches(world)).toEqual(["batchetl 200"]);
    expect(keyIdentifiers(world)).toEqual(keysOn(kid));
    expect(await ledgerRows(world.runtime)).toEqual(bothApplied(kid, event.id));
    expect(alertLines(world)).toEqual([
      "raised RotationPatchFailed batchetl",
      "resolved RotationPatchFailed batchetl",
    ]);
  });

  it("a 403 from Key Vault on the new version's GET: nothing changes or is recorded, and a replay after access returns moves both accounts", async () => {
    const { world, version, kid } = worldWithNewVersion();
    world.standIn.addFault({ operation: "keys.get", status: 403, code: "Forbidden" });
    const event = newVersionEvent(version);

    const first = await world.runtime.handleDelivery(event, world.log);

    expect(first.retryable).toBe(false);
    const outcomes = first.reports.flatMap((report) =>
      report.kind === "key" ? report.result.outcomes.map((entry) => entry.reason) : [],
    );
    // The versionless account needs nothing from Key Vault, so only the pinned ones are stuck.
    expect(outcomes).toEqual([
      "KeyVaultUnavailable",
      "KeyVaultUnavailable",
      "VersionlessIdentifier",
    ]);
    expect(patches(world)).toEqual([]);
    expect(await world.runtime.history()).toEqual([]);
    // A redelivery would meet the same refusal, so someone must be told instead.
    expect(alertLines(world).sort()).toEqual([
      "raised RotationKeyUnreadable batchetl",
      "raised RotationKeyUnreadable batchprod",
    ]);

    world.standIn.clearFaults();
    const replay = await world.runtime.handleDelivery(event, world.log);

    expect(replay.retryable).toBe(false);
    expect(keyIdentifiers(world)).toEqual(keysOn(kid));
    expect(await ledgerRows(world.runtime)).toEqual(bothApplied(kid, event.id));
    expect(
      alertLines(world)
        .filter((line) => line.startsWith("resolved"))
        .sort(),
    ).toEqual([
      "resolved RotationKeyUnreadable batchetl",
      "resolved RotationKeyUnreadable batchprod",
    ]);
  });
});

describe("the ledger's storage unavailable", () => {
  const closedStorage = () =>
    inject("azuriteConnectionString").replace(
      /TableEndpoint=http:\/\/127\.0\.0\.1:\d+/,
      "TableEndpoint=http://127.0.0.1:9",
    );

  it("makes no change it cannot record, fails the invocation quickly, and the redelivery does the work", async () => {
    const { world, version, kid } = worldWithNewVersion();
    expect(closedStorage()).toMatch(/TableEndpoint=http:\/\/127\.0\.0\.1:9\//);
    const offline = sibling(world, { AzureWebJobsStorage: closedStorage() });
    const event = newVersionEvent(version);

    const { value: first, ms } = await timed(() => offline.handleDelivery(event, world.log));

    expect(first.retryable).toBe(true);
    expect(ms).toBeLessThan(20_000);
    expect(patches(world)).toEqual([]);
    expect(keyIdentifiers(world)).toEqual(keysOn(seededKid));
    const reasons = first.reports.flatMap((report) =>
      report.kind === "key" ? report.result.outcomes.map((entry) => entry.reason) : [],
    );
    expect(reasons).toEqual(["LedgerUnavailable", "LedgerUnavailable", "VersionlessIdentifier"]);
    expect(world.alerts).toEqual([]);
    expect(world.standIn.untrustedRequests).toEqual([]);

    const retry = await world.runtime.handleDelivery(event, world.log);

    expect(retry.retryable).toBe(false);
    expect(keyIdentifiers(world)).toEqual(keysOn(kid));
    expect(patches(world).sort()).toEqual(["batchetl 200", "batchprod 200"]);
    expect(await ledgerRows(world.runtime)).toEqual(bothApplied(kid, event.id));
  });

  it("when the storage goes away after the change, the entry stays pending, the invocation fails, and the redelivery completes the entry without a second PATCH", async () => {
    const { world, version, kid } = worldWithNewVersion();
    const table = createTableLedger(
      createTableClient(world.settings, world.settings.ledgerTable, world.standIn.credential),
    );
    const flaky: Ledger = {
      ...table,
      complete: () => Promise.reject(new Error("ledger completion failed: connect ECONNREFUSED")),
    };
    const broken = sibling(world, {}, flaky);
    const event = newVersionEvent(version);

    const first = await broken.handleDelivery(event, world.log);

    expect(first.retryable).toBe(true);
    expect(keyIdentifiers(world)).toEqual(keysOn(kid));
    expect((await ledgerRows(world.runtime)).map((row) => row.outcome)).toEqual([
      "pending",
      "pending",
    ]);

    world.standIn.reset();
    const retry = await world.runtime.handleDelivery(event, world.log);

    expect(retry.retryable).toBe(false);
    expect(patches(world)).toEqual([]);
    expect(await ledgerRows(world.runtime)).toEqual(bothApplied(kid, event.id));
  });
});
