import { describe, expect, it } from "vitest";
import { demoAccountId, loadDemoScenario } from "./support/demo";
import { createWorld } from "./support/harness";

describe("the probe and the vault allowlist", () => {
  it("sends nothing to a vault that is not on the allowlist, and says which accounts it left out", async () => {
    const world = createWorld(loadDemoScenario(), { BATCH_CMK_VAULT_ALLOWLIST: "fabrikam-cmk" });

    const run = await world.runtime.probe(world.log);

    expect(run.results).toEqual([]);
    expect(run.unreadable).toEqual(
      ["batchprod", "batchetl", "batchfollow"].map((name) => ({
        id: demoAccountId(name),
        summary: "its vault contoso-cmk is not on BATCH_CMK_VAULT_ALLOWLIST; not probed",
        retryable: false,
      })),
    );
    expect(
      world.standIn.requests.filter((request) => request.host.endsWith(".vault.azure.net")),
    ).toEqual([]);
  });

  it("probes the accounts of an allowed vault as usual", async () => {
    const world = createWorld(loadDemoScenario(), { BATCH_CMK_VAULT_ALLOWLIST: "contoso-cmk" });

    const run = await world.runtime.probe(world.log);

    expect(run.results.map((result) => [result.accountId, result.status])).toEqual(
      ["batchprod", "batchetl", "batchfollow"].map((name) => [demoAccountId(name), "healthy"]),
    );
    expect(run.unreadable).toEqual([]);
  });
});
