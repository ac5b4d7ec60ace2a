import { describe, expect, it } from "vitest";
import {
  demoAccountId,
  demoKid,
  demoSeededVersion,
  keyVaultEvent,
  loadDemoScenario,
} from "./support/demo";
import { createWorld } from "./support/harness";

describe("the ledger after an operator undid a change", () => {
  it("respects the undo on a redelivery of the same event, but a later event that needs the same change makes it again, keeping both records", async () => {
    const world = createWorld(loadDemoScenario());
    const version = world.standIn.addKeyVersion("contoso-cmk", "batch-cmk");
    const prod = demoAccountId("batchprod");
    const created = keyVaultEvent("KeyNewVersionCreated", version, { id: "evt-new" });

    await world.runtime.handleDelivery(created, world.log);
    expect(world.standIn.getAccount(prod)?.keyIdentifier).toBe(demoKid(version));

    // The operator runs the undo command `history` printed.
    world.standIn.setAccountKeyIdentifier(prod, demoKid(demoSeededVersion));
    world.setNow("2026-12-04T10:00:00Z");
    const redelivered = await world.runtime.handleDelivery(created, world.log);
    expect(redelivered.retryable).toBe(false);
    expect(world.standIn.getAccount(prod)?.keyIdentifier).toBe(demoKid(demoSeededVersion));

    // Months later the version the operator went back to expires: the account must move.
    world.setNow("2027-06-02T00:00:00Z");
    const expired = await world.runtime.handleDelivery(
      keyVaultEvent("KeyExpired", demoSeededVersion, { id: "evt-expired" }),
      world.log,
    );

    const prodOutcome =
      expired.reports[0]?.kind === "key"
        ? expired.reports[0].result.outcomes.find((outcome) => outcome.accountId === prod)
        : undefined;
    expect(prodOutcome?.decision).toBe("changed");
    expect(world.standIn.getAccount(prod)?.keyIdentifier).toBe(demoKid(version));
    const history = await world.runtime.history({ accountId: prod });
    expect(history.map((entry) => [entry.eventId, entry.outcome, entry.newKeyIdentifier])).toEqual([
      ["evt-expired", "applied", demoKid(version)],
      ["evt-new", "applied", demoKid(version)],
    ]);
  });
});
