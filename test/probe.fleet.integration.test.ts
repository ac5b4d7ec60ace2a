/**
 * What one probe run of a fleet costs in Azure calls, counted by the stand-in behind the real SDK
 * clients: reads are shared per distinct key version, per subscription's vault list and per
 * principal, and accounts come from list pages rather than one GET each.
 */
import { describe, expect, it } from "vitest";
import { type FleetOptions, buildFleet } from "../src/standin/fleet";
import { createWorld } from "./support/harness";

describe("calls of one probe run over a fleet", () => {
  it.each<[string, FleetOptions, Record<string, number>, string]>([
    [
      "200 accounts pinning the previous version of 2 keys, by access policies",
      { accounts: 200, vaults: 2, access: "accessPolicy", pin: "previous" },
      // Per key: one GET of the pinned version, one version list, one GET of the newer version.
      {
        "batch.list": 2,
        "vaults.list": 1,
        "keyvault.challenge": 2,
        "keys.get": 4,
        "keys.versions": 2,
      },
      "warning",
    ],
    [
      "200 accounts on 2 keys by RBAC, each with its own system-assigned identity",
      { accounts: 200, vaults: 2, access: "rbac" },
      // One role assignment list per principal; the one role's definition is read once.
      {
        "batch.list": 2,
        "vaults.list": 1,
        "keyvault.challenge": 2,
        "keys.get": 2,
        "keys.versions": 2,
        "roleAssignments.list": 200,
        "roleDefinitions.get": 1,
      },
      "healthy",
    ],
    [
      "200 accounts in 2 subscriptions on 2 keys by RBAC, sharing a user-assigned identity per key",
      {
        accounts: 200,
        vaults: 2,
        access: "rbac",
        identity: "sharedUserAssigned",
        subscriptions: 2,
      },
      // Each subscription's vaults are listed once; the vaults live in the first.
      {
        "batch.list": 2,
        "vaults.list": 2,
        "keyvault.challenge": 2,
        "keys.get": 2,
        "keys.versions": 2,
        "roleAssignments.list": 2,
        "roleDefinitions.get": 1,
      },
      "healthy",
    ],
    [
      "200 versionless accounts in 3 subscriptions on 2 keys",
      { accounts: 200, vaults: 2, pin: "versionless", subscriptions: 3 },
      // Versionless accounts follow the key themselves, so no version list is needed.
      { "batch.list": 3, "vaults.list": 3, "keyvault.challenge": 2, "keys.get": 2 },
      "healthy",
    ],
  ])("reads shared facts once for %s", async (_, fleet, expected, status) => {
    const world = createWorld(buildFleet(fleet));

    const run = await world.runtime.probe(world.log);

    expect(world.standIn.counts()).toEqual(expected);
    expect(run.calls).toEqual({
      getKeyVersion: expected["keys.get"] ?? 0,
      listKeyVersions: expected["keys.versions"] ?? 0,
      getDeletedKey: 0,
      listVaults: expected["vaults.list"] ?? 0,
      grantsFor: expected["roleAssignments.list"] ?? 0,
    });
    expect(new Set(run.results.map((result) => result.status))).toEqual(new Set([status]));
    expect(run.results).toHaveLength(200);
  });

  it("reads a soft-deleted key's deleted entry once however many accounts use it", async () => {
    const world = createWorld(buildFleet({ accounts: 50, vaults: 1 }));
    world.standIn.deleteKey("kv-fleet-0", "batch-cmk");

    const run = await world.runtime.probe(world.log);

    expect(world.standIn.counts()).toEqual({
      "batch.list": 1,
      "vaults.list": 1,
      "keyvault.challenge": 1,
      "keys.get": 1,
      "keys.getDeleted": 1,
    });
    expect(new Set(run.results.flatMap((result) => result.findings.map((f) => f.check)))).toEqual(
      new Set(["KeySoftDeleted"]),
    );
  });
});
