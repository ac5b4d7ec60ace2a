import { describe, expect, it } from "vitest";
import { demoAccountId, demoSeededVersion, loadDemoScenario } from "./support/demo";
import { createWorld } from "./support/harness";

const notified = (alerts: readonly { kind: string; check: string; accountId: string }[]) =>
  alerts.map((alert) => `${alert.kind} ${alert.check} ${alert.accountId.split("/").pop() ?? ""}`);

describe("alerts of an account the probe no longer watches", () => {
  it("resolves the open alerts of an account that moved to a platform-managed key", async () => {
    const world = createWorld(loadDemoScenario());
    world.standIn.disableKeyVersion("contoso-cmk", "batch-cmk", demoSeededVersion);
    await world.runtime.probe(world.log);
    expect(notified(world.alerts)).toContain("raised KeyVersionDisabled batchprod");
    world.alerts.length = 0;

    // The owner gives up on the customer-managed key: Batch now manages the key itself.
    world.standIn.setAccountKeyIdentifier(demoAccountId("batchprod"), undefined);
    world.setNow("2026-12-04T09:05:00Z");
    const run = await world.runtime.probe(world.log, { resolveUnwatched: true });

    expect(run.results.map((result) => result.accountId)).not.toContain(demoAccountId("batchprod"));
    expect(notified(world.alerts)).toEqual(["resolved KeyVersionDisabled batchprod"]);
  });

  it("leaves them open when a probe run could not list every account", async () => {
    const world = createWorld(loadDemoScenario());
    world.standIn.disableKeyVersion("contoso-cmk", "batch-cmk", demoSeededVersion);
    await world.runtime.probe(world.log);
    world.alerts.length = 0;

    world.standIn.addFault({ operation: "batch.list", status: 403, times: 100 });
    world.setNow("2026-12-04T09:05:00Z");
    await world.runtime.probe(world.log, { resolveUnwatched: true });

    expect(world.alerts.filter((alert) => alert.kind === "resolved")).toEqual([]);
  });

  it("leaves them open on a run narrowed to other accounts (probe --account)", async () => {
    const world = createWorld(loadDemoScenario());
    world.standIn.disableKeyVersion("contoso-cmk", "batch-cmk", demoSeededVersion);
    await world.runtime.probe(world.log);
    world.alerts.length = 0;

    world.setNow("2026-12-04T09:05:00Z");
    await world.runtime.probe(world.log);

    expect(world.alerts.filter((alert) => alert.kind === "resolved")).toEqual([]);
  });
});
