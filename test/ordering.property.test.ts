/**
 * Ordering and races: Key Vault events arrive late, twice, out of order and beside probes and
 * reconciles, and two invocations may handle the same key at once. Whatever the order, every pinned
 * account ends on the newest usable version, never moves backwards, and the ledger holds exactly
 * one applied entry per change made.
 */
import type { HttpClient } from "@azure/core-rest-pipeline";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createMemoryLogger } from "../src/lib/log";
import { type Runtime, createRuntime } from "../src/lib/runtime";
import {
  demoAccountId,
  demoKid,
  demoSeededVersion,
  keyVaultEvent,
  loadDemoScenario,
} from "./support/demo";
import { type World, createWorld } from "./support/harness";

const pinned = ["batchprod", "batchetl"] as const;
const start = Date.parse("2026-12-04T09:00:00Z");
const hours = (count: number) => new Date(start + count * 3_600_000);

/** A KeyNewVersionCreated or KeyNearExpiry event with the id the test gives it. */
const keyEvent = (type: "KeyNewVersionCreated" | "KeyNearExpiry", version: string, id: string) =>
  keyVaultEvent(type, version, { id });

/** The ledger as `account newKeyIdentifier outcome` lines, sorted. */
async function ledgerLines(runtime: Runtime): Promise<string[]> {
  return (await runtime.history())
    .map(
      (entry) => `${entry.accountId.split("/").at(-1)} ${entry.newKeyIdentifier} ${entry.outcome}`,
    )
    .sort();
}

interface Patch {
  readonly account: string;
  readonly to: string;
  readonly status: number | undefined;
}

/** A runtime over the world's stand-in, storage and clock whose transport records every PATCH. */
function recordingRuntime(world: World): { runtime: Runtime; patches: Patch[] } {
  const patches: Patch[] = [];
  const httpClient: HttpClient = {
    sendRequest: async (request) => {
      const response = await world.standIn.httpClient.sendRequest(request);
      if (request.method === "PATCH") {
        const to = /"keyIdentifier":"([^"]+)"/.exec(String(request.body))?.[1] ?? "";
        const account = new URL(request.url).pathname.split("/").at(-1) ?? "";
        patches.push({ account, to, status: response.status });
      }
      return response;
    },
  };
  const runtime = createRuntime({
    settings: world.settings,
    credential: world.standIn.credential,
    httpClient,
    now: world.now,
    client: { retryDelayMs: 5, maxRetryDelayMs: 50 },
    alertSinks: [{ name: "test", send: (notification) => void world.alerts.push(notification) }],
  });
  return { runtime, patches };
}

type Usability = "usable" | "disabled" | "expired" | "not-yet-valid" | "too-small";

/** Adds one version an hour apart after the seeded ones; returns their ids, oldest first. */
function addVersions(world: World, kinds: readonly Usability[]): string[] {
  return kinds.map((kind, index) => {
    world.setNow(hours(index + 1));
    const version = world.standIn.addKeyVersion("contoso-cmk", "batch-cmk", {
      ...(kind === "disabled" && { enabled: false }),
      ...(kind === "expired" && { exp: hours(index + 1.5) }),
      ...(kind === "not-yet-valid" && { nbf: hours(24 * 30) }),
      // A new version copies the current one's shape unless told: name the size every time.
      size: kind === "too-small" ? 1024 : 3072,
    });
    return version;
  });
}

type Step =
  | { readonly kind: "deliver"; readonly index: number }
  | { readonly kind: "deliver-together"; readonly first: number; readonly second: number }
  | { readonly kind: "near-expiry" }
  | { readonly kind: "probe" };

const usability = fc.constantFrom<Usability>(
  "usable",
  "usable",
  "disabled",
  "expired",
  "not-yet-valid",
  "too-small",
);

/** N versions, every event delivered at least once, plus duplicates, pairs and probes, shuffled. */
const runs = fc
  .record({
    kinds: fc.array(usability, { minLength: 2, maxLength: 6 }),
    reconcile: fc.boolean(),
  })
  .chain(({ kinds, reconcile }) => {
    const index = fc.nat(kinds.length - 1);
    const extra = fc.oneof(
      index.map((value): Step => ({ kind: "deliver", index: value })),
      fc
        .tuple(index, index)
        .map(([first, second]): Step => ({ kind: "deliver-together", first, second })),
      fc.constant<Step>({ kind: "near-expiry" }),
      fc.constant<Step>({ kind: "probe" }),
    );
    const every = kinds.map((_, value): Step => ({ kind: "deliver", index: value }));
    return fc
      .array(extra, { maxLength: 5 })
      .chain((extras) =>
        fc.shuffledSubarray([...every, ...extras], {
          minLength: every.length + extras.length,
        }),
      )
      .map((steps) => ({ kinds, reconcile, steps }));
  });

describe("event order, duplicates, probes and reconciles", () => {
  it("every pinned account ends on the newest usable version, never moved backwards, with one applied ledger entry per change", async () => {
    let executed = 0;
    await fc.assert(
      fc.asyncProperty(runs, async ({ kinds, reconcile, steps }) => {
        executed++;
        const world = createWorld(loadDemoScenario(), {
          BATCH_CMK_RECONCILE: String(reconcile),
          BATCH_CMK_NEAR_EXPIRY_ACTION: "alert",
        });
        const versions = addVersions(world, kinds);
        world.setNow(hours(kinds.length + 1));
        const { runtime, patches } = recordingRuntime(world);
        const log = createMemoryLogger();
        const deliver = (index: number) => {
          const version = versions[index] ?? "";
          return runtime.handleDelivery(
            keyEvent("KeyNewVersionCreated", version, `evt-${index}`),
            log,
          );
        };

        for (const [position, step] of steps.entries()) {
          if (step.kind === "deliver") {
            expect((await deliver(step.index)).retryable).toBe(false);
          } else if (step.kind === "deliver-together") {
            // The keyed locks serialise these; neither may need a redelivery.
            const both = await Promise.all([deliver(step.first), deliver(step.second)]);
            expect(both.map((result) => result.retryable)).toEqual([false, false]);
          } else if (step.kind === "near-expiry") {
            await runtime.handleDelivery(
              keyEvent("KeyNearExpiry", demoSeededVersion, `near-${position}`),
              log,
            );
          } else {
            await runtime.probe(log);
          }
        }

        const created = new Map<string, number>([[demoKid(demoSeededVersion), 0]]);
        versions.forEach((version, index) => created.set(demoKid(version), index + 1));
        const usable = versions.filter((_, index) => kinds[index] === "usable");
        const newestUsable = usable.at(-1);
        const expectedKid = demoKid(newestUsable ?? demoSeededVersion);

        for (const name of pinned) {
          expect(world.standIn.getAccount(demoAccountId(name))?.keyIdentifier).toBe(expectedKid);
          const targets = patches.filter((patch) => patch.account === name).map((p) => p.to);
          // Only usable versions, each strictly newer than the one before: never backwards.
          for (const target of targets) expect(usable.map(demoKid)).toContain(target);
          const order = [0, ...targets.map((target) => created.get(target) ?? -1)];
          expect(order).toEqual([...order].sort((a, b) => a - b));
          expect(new Set(order).size).toBe(order.length);
        }
        expect(world.standIn.getAccount(demoAccountId("batchfollow"))?.keyIdentifier).toBe(
          demoKid(),
        );
        expect(patches.every((patch) => patch.status === 200)).toBe(true);

        // Exactly one applied ledger entry per PATCH made, and nothing else.
        expect(await ledgerLines(runtime)).toEqual(
          patches.map((patch) => `${patch.account} ${patch.to} applied`).sort(),
        );
        expect(world.standIn.untrustedRequests).toEqual([]);
      }),
      { numRuns: 30 },
    );
    expect(executed).toBeGreaterThanOrEqual(30);
  }, 120_000);
});

describe("two handlings of the same key at once", () => {
  it.each([
    { name: "the same event twice", second: 0 },
    { name: "events for two new versions", second: 1 },
  ])(
    "in one instance, $name: no change is PATCHed twice and no ledger entry lacks its change",
    async ({ second }) => {
      const world = createWorld(loadDemoScenario());
      const versions = addVersions(world, ["usable", "usable"]);
      const { runtime, patches } = recordingRuntime(world);
      world.standIn.setLatency(50, "batch.update");
      const event = (index: number) =>
        keyEvent("KeyNewVersionCreated", versions[index] ?? "", `evt-${index}`);

      const results = await Promise.all([
        runtime.handleDelivery(event(0), world.log),
        runtime.handleDelivery(event(second), world.log),
      ]);

      expect(results.map((result) => result.retryable)).toEqual([false, false]);
      const newest = demoKid(versions[second] ?? "");
      for (const name of pinned) {
        expect(world.standIn.getAccount(demoAccountId(name))?.keyIdentifier).toBe(newest);
        const targets = patches.filter((patch) => patch.account === name).map((p) => p.to);
        // The same event twice: one PATCH. Two versions: the older may go first, then the newer;
        // if the newer goes first the older is never applied after it.
        const allowed =
          second === 0 ? [[newest]] : [[demoKid(versions[0] ?? ""), newest], [newest]];
        expect(allowed).toContainEqual(targets);
      }
      expect(patches.every((patch) => patch.status === 200)).toBe(true);
      expect(await ledgerLines(runtime)).toEqual(
        patches.map((patch) => `${patch.account} ${patch.to} applied`).sort(),
      );
    },
  );

  it("two instances sharing the ledger race on one event: the ledger claim lets one PATCH each account, the other is told to try later, and its redelivery changes nothing", async () => {
    const world = createWorld(loadDemoScenario());
    const [version] = addVersions(world, ["usable"]);
    const one = recordingRuntime(world);
    const two = recordingRuntime(world);
    // A slow PATCH keeps the first claim open while the second instance reaches its own.
    world.standIn.setLatency(200, "batch.update");
    const event = keyEvent("KeyNewVersionCreated", version ?? "", "evt-race");
    const kid = demoKid(version ?? "");

    const [first, second] = await Promise.all([
      one.runtime.handleDelivery(event, world.log),
      two.runtime.handleDelivery(event, world.log),
    ]);

    const reasons = (result: typeof first) =>
      result.reports.flatMap((report) =>
        report.kind === "key"
          ? report.result.outcomes
              .filter((outcome) => outcome.accountId !== demoAccountId("batchfollow"))
              .map(
                (outcome) =>
                  `${outcome.accountId.split("/").at(-1)} ${outcome.decision} ${outcome.reason}`,
              )
          : [],
      );
    const all = [...reasons(first), ...reasons(second)].sort();
    expect(all).toEqual([
      "batchetl changed MoveToNewVersion",
      "batchetl failed ChangeInProgress",
      "batchprod changed MoveToNewVersion",
      "batchprod failed ChangeInProgress",
    ]);
    expect([first.retryable, second.retryable].sort()).toEqual([false, true]);
    const made = [...one.patches, ...two.patches].map(
      (patch) => `${patch.account} ${patch.status}`,
    );
    expect(made.sort()).toEqual(["batchetl 200", "batchprod 200"]);
    expect(await ledgerLines(one.runtime)).toEqual([
      `batchetl ${kid} applied`,
      `batchprod ${kid} applied`,
    ]);

    const loser = first.retryable ? one : two;
    const redelivery = await loser.runtime.handleDelivery(event, world.log);

    expect(redelivery.retryable).toBe(false);
    expect([...one.patches, ...two.patches]).toHaveLength(2);
    expect(await ledgerLines(one.runtime)).toEqual([
      `batchetl ${kid} applied`,
      `batchprod ${kid} applied`,
    ]);
    for (const name of pinned) {
      expect(world.standIn.getAccount(demoAccountId(name))?.updates).toBe(1);
    }
  });
});
