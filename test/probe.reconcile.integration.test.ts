import { describe, expect, it } from "vitest";
import { demoAccountId, demoKid, loadDemoScenario } from "./support/demo";
import { createWorld } from "./support/harness";

describe("reconcile across a fleet on one key", () => {
  it("reads the key's versions and the new version once per probe run, not once per stale account", async () => {
    const world = createWorld(loadDemoScenario(), { BATCH_CMK_RECONCILE: "true" });
    // A KeyNewVersionCreated event was missed: both pinned accounts are stale.
    const version = world.standIn.addKeyVersion("contoso-cmk", "batch-cmk");
    world.standIn.reset();

    await world.runtime.probe(world.log);

    expect(world.standIn.getAccount(demoAccountId("batchprod"))?.keyIdentifier).toBe(
      demoKid(version),
    );
    expect(world.standIn.getAccount(demoAccountId("batchetl"))?.keyIdentifier).toBe(
      demoKid(version),
    );
    const counts = world.standIn.counts();
    const seen = { versions: counts["keys.versions"], gets: counts["keys.get"] };
    // The probe: one list, the pinned, the versionless current and the newer version. Reconcile:
    // one list and one read of the new version, however many accounts it moves.
    expect(seen).toEqual({ versions: 2, gets: 4 });
  });

  it("judges a moved account on the version it now carries, raising nothing about the one it left", async () => {
    // Twelve days before the seeded version expires: inside the 30-day warning window.
    const world = createWorld(
      loadDemoScenario(),
      { BATCH_CMK_RECONCILE: "true" },
      { start: "2027-05-20T09:00:00Z" },
    );
    const version = world.standIn.addKeyVersion("contoso-cmk", "batch-cmk", {
      exp: new Date("2028-05-20T00:00:00Z"),
    });

    const run = await world.runtime.probe(world.log);

    expect(
      run.results.map(({ accountId, keyIdentifier, status }) => [accountId, keyIdentifier, status]),
    ).toEqual([
      [demoAccountId("batchprod"), demoKid(version), "healthy"],
      [demoAccountId("batchetl"), demoKid(version), "healthy"],
      [demoAccountId("batchfollow"), demoKid(), "healthy"],
    ]);
    expect(world.alerts).toEqual([]);
  });
});
