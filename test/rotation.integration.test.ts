import { describe, expect, it } from "vitest";
import {
  demoAccountId,
  demoKid,
  demoSeededVersion,
  keyVaultEvent,
  loadDemoScenario,
} from "./support/demo";
import { createWorld } from "./support/harness";

const newVersionEvent = (version: string) =>
  keyVaultEvent("KeyNewVersionCreated", version, { id: `evt-${version}` });

describe("rotation through the real SDK clients into the stand-in", () => {
  it("moves pinned accounts, records each change in Azurite, and spends a fixed number of calls per account", async () => {
    const world = createWorld(loadDemoScenario());
    const version = world.standIn.addKeyVersion("contoso-cmk", "batch-cmk");
    world.standIn.reset();

    const result = await world.runtime.handleDelivery(newVersionEvent(version), world.log);

    expect(result.retryable).toBe(false);
    const kid = demoKid(version);
    expect(world.standIn.getAccount(demoAccountId("batchprod"))?.keyIdentifier).toBe(kid);
    expect(world.standIn.getAccount(demoAccountId("batchetl"))?.keyIdentifier).toBe(kid);
    expect(world.standIn.getAccount(demoAccountId("batchfollow"))?.keyIdentifier).toBe(demoKid());
    // Per event: one list of accounts and one challenge, then per key one versions list and one
    // GET of the new version; per changed account one fresh GET and one PATCH.
    expect(world.standIn.counts()).toMatchObject({
      "batch.list": 1,
      "keys.versions": 1,
      "keys.get": 1,
      "batch.get": 2,
      "batch.update": 2,
    });
    const history = await world.runtime.history();
    expect(
      history
        .map(({ accountId: id, previousKeyIdentifier, newKeyIdentifier, eventId, outcome }) => ({
          id,
          previousKeyIdentifier,
          newKeyIdentifier,
          eventId,
          outcome,
        }))
        .sort((a, b) => a.id.localeCompare(b.id)),
    ).toEqual([
      {
        id: demoAccountId("batchetl"),
        previousKeyIdentifier: demoKid(demoSeededVersion),
        newKeyIdentifier: kid,
        eventId: `evt-${version}`,
        outcome: "applied",
      },
      {
        id: demoAccountId("batchprod"),
        previousKeyIdentifier: demoKid(demoSeededVersion),
        newKeyIdentifier: kid,
        eventId: `evt-${version}`,
        outcome: "applied",
      },
    ]);
    expect(world.standIn.untrustedRequests).toEqual([]);
  });

  it("fails the delivery so Event Grid redelivers when one account's PATCH keeps failing, and the redelivery completes it", async () => {
    const world = createWorld(loadDemoScenario());
    const version = world.standIn.addKeyVersion("contoso-cmk", "batch-cmk");
    world.standIn.addFault({
      operation: "batch.update",
      path: /batchetl$/i,
      status: 500,
      times: 10,
    });

    const first = await world.runtime.handleDelivery(newVersionEvent(version), world.log);

    expect(first.retryable).toBe(true);
    const kid = demoKid(version);
    expect(world.standIn.getAccount(demoAccountId("batchprod"))?.keyIdentifier).toBe(kid);
    expect(world.standIn.getAccount(demoAccountId("batchetl"))?.keyIdentifier).not.toBe(kid);
    expect(world.alerts.map((alert) => `${alert.kind} ${alert.check}`)).toEqual([
      "raised RotationPatchFailed",
    ]);

    world.standIn.clearFaults();
    const retry = await world.runtime.handleDelivery(newVersionEvent(version), world.log);

    expect(retry.retryable).toBe(false);
    expect(world.standIn.getAccount(demoAccountId("batchetl"))?.keyIdentifier).toBe(kid);
    expect((await world.runtime.history()).map((entry) => entry.outcome)).toEqual([
      "applied",
      "applied",
    ]);
    expect(world.alerts.map((alert) => `${alert.kind} ${alert.check}`)).toEqual([
      "raised RotationPatchFailed",
      "resolved RotationPatchFailed",
    ]);
  });

  it("leaves accounts alone and raises nothing on a KeyExpired event for a version Key Vault says is valid", async () => {
    // The seeded version expires on 2027-06-01; the world's clock says 2026-12-04.
    const world = createWorld(loadDemoScenario());

    const result = await world.runtime.handleDelivery(
      keyVaultEvent("KeyExpired", demoSeededVersion),
      world.log,
    );

    expect(result.retryable).toBe(false);
    expect(world.standIn.count("batch.update")).toBe(0);
    expect(world.standIn.getAccount(demoAccountId("batchprod"))?.keyIdentifier).toBe(
      demoKid(demoSeededVersion),
    );
    expect(world.alerts).toEqual([]);
  });

  it.each([
    ["the event's EXP", 1811808000, "which expired on 2027-06-01T00:00:00.000Z"],
    ["no date when the event carries no EXP", null, "which expired"],
  ])("names %s when an account is left on an expired version", async (_what, exp, ending) => {
    // Both demo versions have expired by 2027-06-02 and there is no successor.
    const world = createWorld(loadDemoScenario(), {}, { start: "2027-06-02T09:00:00Z" });

    await world.runtime.handleDelivery(
      keyVaultEvent("KeyExpired", demoSeededVersion, { data: { EXP: exp } }),
      world.log,
    );

    const expiredAlerts = world.alerts.filter((alert) => alert.check === "AccountOnExpiredKey");
    expect(expiredAlerts.map((alert) => alert.message)).toEqual([
      `account is left on ${demoKid(demoSeededVersion)}, ${ending}`,
      `account is left on ${demoKid(demoSeededVersion)}, ${ending}`,
    ]);
  });

  it("alerts when a version nears expiry and the action is alert, and resolves once the account moves", async () => {
    const world = createWorld(loadDemoScenario(), { BATCH_CMK_NEAR_EXPIRY_ACTION: "alert" });
    const nearExpiry = keyVaultEvent("KeyNearExpiry", demoSeededVersion, {
      data: { EXP: 1811808000 },
    });

    const first = await world.runtime.handleDelivery(nearExpiry, world.log);

    expect(first.retryable).toBe(false);
    expect(world.standIn.count("keys.rotate")).toBe(0);
    expect(
      world.alerts.map((alert) => [alert.kind, alert.check, alert.severity, alert.message]),
    ).toEqual(
      ["batchprod", "batchetl"].map(() => [
        "raised",
        "KeyNearExpiryNotRotated",
        "warning",
        `the account stays on ${demoKid(demoSeededVersion)}, which expires on 2027-06-01T00:00:00.000Z; no newer usable version exists`,
      ]),
    );

    const version = world.standIn.addKeyVersion("contoso-cmk", "batch-cmk");
    await world.runtime.handleDelivery(newVersionEvent(version), world.log);

    expect(
      world.alerts.filter((alert) => alert.kind === "resolved").map((alert) => alert.check),
    ).toEqual(["KeyNearExpiryNotRotated", "KeyNearExpiryNotRotated"]);
  });
});
