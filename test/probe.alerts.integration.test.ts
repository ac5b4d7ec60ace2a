/**
 * The probe's alerts over time through the real SDK clients, the stand-in and alert state in
 * Azurite: quiet when healthy, raise once, remind on schedule, resolve once, no double raise from
 * concurrent runs, and never healthy or lost when Azure cannot be seen.
 */
import { describe, expect, it } from "vitest";
import type { AlertNotification } from "../src/lib/alerts";
import { tableAlertStore } from "../src/lib/azure/alertStore";
import { createTableClient } from "../src/lib/azure/storage";
import { createRuntime, type ProbeRun } from "../src/lib/runtime";
import type { FaultRule } from "../src/standin/faults";
import { type World, createWorld } from "./support/harness";
import {
  type Access,
  type IdentityKind,
  currentVersion,
  findingsOf,
  fleetAccountId,
  fleetAccounts,
  fleetSystemPrincipals,
  healthy,
  healthyFleet,
  subscription,
} from "./support/probeScenario";

const { policySystem, policyUser, rbacSystem, rbacUser, policyFollow } = fleetAccounts;

/** `<kind> <check> <account name>` per notification, in a stable order. */
function notified(alerts: readonly AlertNotification[]): string[] {
  return alerts
    .map((alert) => `${alert.kind} ${alert.check} ${alert.accountId.split("/").pop() ?? ""}`)
    .sort();
}

function statuses(run: ProbeRun): Record<string, string> {
  return Object.fromEntries(
    run.results.map((result) => [result.accountId.split("/").pop() ?? "", result.status]),
  );
}

async function storedAlerts(world: World, accountName: string) {
  const store = tableAlertStore(
    createTableClient(world.settings, world.settings.alertTable, world.standIn.credential),
  );
  const rows = await store.listForAccount(fleetAccountId(accountName));
  return rows
    .map(({ record }) => ({ check: record.check, status: record.status }))
    .sort((a, b) => a.check.localeCompare(b.check));
}

describe("probe alerts over time", () => {
  it("raises nothing for a fully healthy fleet probed 100 times", async () => {
    const world = createWorld(healthyFleet());

    const seen = new Set<string>();
    for (let run = 0; run < 100; run++) {
      world.setNow(new Date(Date.parse("2026-12-04T09:00:00Z") + run * 15 * 60_000));
      const result = await world.runtime.probe(world.log);
      for (const [name, status] of Object.entries(statuses(result))) seen.add(`${name} ${status}`);
    }

    expect([...seen].sort()).toEqual(
      [policyFollow, policySystem, policyUser, rbacSystem, rbacUser].map(
        (name) => `${name} healthy`,
      ),
    );
    expect(world.alerts).toEqual([]);
    expect(world.log.lines.filter((line) => line.level !== "debug")).toEqual([]);
  });

  it("raises a failing check once, reminds every 240 minutes while it fails, and resolves it once", async () => {
    const world = createWorld(healthyFleet());
    world.standIn.disableKeyVersion("contoso-rbac", "batch-cmk", currentVersion);
    const probeAt = async (time: string) => {
      world.setNow(time);
      world.alerts.length = 0;
      await world.runtime.probe(world.log);
      return notified(world.alerts);
    };

    expect(await probeAt("2026-12-04T09:00:00Z")).toEqual([
      `raised KeyVersionDisabled ${rbacSystem}`,
      `raised KeyVersionDisabled ${rbacUser}`,
    ]);
    expect(await probeAt("2026-12-04T09:30:00Z")).toEqual([]);
    expect(await probeAt("2026-12-04T12:59:00Z")).toEqual([]);
    expect(await probeAt("2026-12-04T13:00:00Z")).toEqual([
      `reminded KeyVersionDisabled ${rbacSystem}`,
      `reminded KeyVersionDisabled ${rbacUser}`,
    ]);
    expect(await probeAt("2026-12-04T16:00:00Z")).toEqual([]);
    expect(await probeAt("2026-12-04T17:00:00Z")).toEqual([
      `reminded KeyVersionDisabled ${rbacSystem}`,
      `reminded KeyVersionDisabled ${rbacUser}`,
    ]);

    world.standIn.enableKeyVersion("contoso-rbac", "batch-cmk", currentVersion);
    expect(await probeAt("2026-12-04T17:15:00Z")).toEqual([
      `resolved KeyVersionDisabled ${rbacSystem}`,
      `resolved KeyVersionDisabled ${rbacUser}`,
    ]);
    expect(await probeAt("2026-12-04T21:15:00Z")).toEqual([]);
    expect(await storedAlerts(world, rbacUser)).toEqual([
      { check: "KeyVersionDisabled", status: "closed" },
    ]);
  });

  it("raises each failing check once when two function instances probe at the same time", async () => {
    const world = createWorld(healthyFleet());
    // A second instance: its own SDK clients and alert manager over the same alert table.
    const other = createRuntime({
      settings: world.settings,
      credential: world.standIn.credential,
      httpClient: world.standIn.httpClient,
      now: world.now,
      client: { retryDelayMs: 5, maxRetryDelayMs: 50 },
      alertSinks: [{ name: "test", send: (notification) => void world.alerts.push(notification) }],
    });
    world.standIn.removeAccessPolicy("contoso-cmk", fleetSystemPrincipals[policySystem] ?? "");
    world.standIn.setAccountProvisioningState(fleetAccountId(rbacUser), "Failed");

    await Promise.all([world.runtime.probe(world.log), other.probe(world.log)]);

    expect(notified(world.alerts)).toEqual([
      `raised AccountProvisioningFailed ${rbacUser}`,
      `raised IdentityLacksKeyPermissions ${policySystem}`,
    ]);
  });
});

describe("when the probe cannot see", () => {
  const timeouts = { requestTimeoutMs: 200, maxRetries: 0 };
  const keyReads = ["keys.get", "keys.versions"];

  it.each<[string, Access, IdentityKind, FaultRule, typeof timeouts | undefined, string]>([
    [
      "Key Vault answers 500 to every key read",
      "access-policy",
      "system-assigned",
      { operation: keyReads, status: 500 },
      undefined,
      "could not see key: 500 InternalServerError Injected fault: 500 InternalServerError.",
    ],
    [
      "Key Vault answers 403 to our own identity on GET and on the version list",
      "RBAC",
      "user-assigned",
      { operation: keyReads, status: 403 },
      undefined,
      "could not see key: 403 Forbidden Injected fault: 403 Forbidden.",
    ],
    [
      "Key Vault answers 403 to GET while the version list shows the version enabled",
      "access-policy",
      "user-assigned",
      { operation: "keys.get", status: 403 },
      undefined,
      "could not see key: 403 Forbidden Injected fault: 403 Forbidden.",
    ],
    [
      "Key Vault never answers the GET",
      "RBAC",
      "system-assigned",
      { operation: "keys.get", timeout: true },
      timeouts,
      "could not see key: ETIMEDOUT no answer within 200 ms",
    ],
    [
      "Key Vault resets the connection",
      "access-policy",
      "system-assigned",
      { operation: "keys.get", reset: true },
      { ...timeouts, requestTimeoutMs: 30_000 },
      "could not see key: ECONNRESET read ECONNRESET",
    ],
    [
      "ARM answers 403 to our own identity's vault list",
      "access-policy",
      "system-assigned",
      { operation: "vaults.list", status: 403 },
      undefined,
      `could not see vault: listing vaults of ${subscription}: 403 AuthorizationFailed ` +
        "Injected fault: 403 AuthorizationFailed.",
    ],
    [
      "ARM never answers the vault list",
      "RBAC",
      "user-assigned",
      { operation: "vaults.list", timeout: true },
      timeouts,
      `could not see vault: listing vaults of ${subscription}: ETIMEDOUT no answer within 200 ms`,
    ],
    [
      "ARM answers 403 to our own identity's role assignment list",
      "RBAC",
      "system-assigned",
      { operation: "roleAssignments.list", status: 403 },
      undefined,
      "could not see role grants of 3c1f8a52-7d4e-4b9a-a1c2-5e6f7a8b9c01: 403 AuthorizationFailed " +
        "Injected fault: 403 AuthorizationFailed.",
    ],
    [
      "ARM answers 503 to the role definition read",
      "RBAC",
      "user-assigned",
      { operation: "roleDefinitions.get", status: 503 },
      undefined,
      "could not see role grants of 9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c02: 503 ServiceUnavailable " +
        "Injected fault: 503 ServiceUnavailable.",
    ],
  ])(
    "calls the account unknown, never healthy or lost, when %s (%s vault, %s identity)",
    async (_, access, identity, fault, client, message) => {
      const account = healthy({ access, identity });
      const world = createWorld(account.scenario, {}, { client });
      world.standIn.addFault(fault);

      const run = await world.runtime.probe(world.log);

      expect(findingsOf(run)).toEqual([
        { accountId: account.accountId, check: "ProbeCouldNotSee", severity: "unknown", message },
      ]);
      expect(run.results.map((result) => result.status)).toEqual(["unknown"]);
      expect(world.alerts.map(({ kind, check, severity }) => ({ kind, check, severity }))).toEqual([
        { kind: "raised", check: "ProbeCouldNotSee", severity: "unknown" },
      ]);
    },
  );

  it("keeps open alerts open and raises no new critical while Key Vault answers 500, then catches up", async () => {
    const world = createWorld(healthyFleet());
    world.standIn.disableKeyVersion("contoso-cmk", "batch-cmk", currentVersion);
    await world.runtime.probe(world.log);
    expect(notified(world.alerts)).toEqual([
      `raised KeyVersionDisabled ${policyFollow}`,
      `raised KeyVersionDisabled ${policySystem}`,
      `raised KeyVersionDisabled ${policyUser}`,
    ]);

    // The version also expires, which nobody can see while Key Vault fails.
    world.standIn.setKeyVersionAttributes("contoso-cmk", "batch-cmk", currentVersion, {
      exp: new Date("2026-12-04T09:10:00Z"),
    });
    world.standIn.addFault({ host: "contoso-cmk.vault.azure.net", status: 500 });
    world.setNow("2026-12-04T09:30:00Z");
    world.alerts.length = 0;
    const blind = await world.runtime.probe(world.log);

    expect(statuses(blind)).toEqual({
      [policySystem]: "unknown",
      [policyUser]: "unknown",
      [policyFollow]: "unknown",
      [rbacSystem]: "healthy",
      [rbacUser]: "healthy",
    });
    expect(notified(world.alerts)).toEqual([
      `raised ProbeCouldNotSee ${policyFollow}`,
      `raised ProbeCouldNotSee ${policySystem}`,
      `raised ProbeCouldNotSee ${policyUser}`,
    ]);
    expect(await storedAlerts(world, policySystem)).toEqual([
      { check: "KeyVersionDisabled", status: "open" },
      { check: "ProbeCouldNotSee", status: "open" },
    ]);

    world.standIn.clearFaults();
    world.setNow("2026-12-04T10:00:00Z");
    world.alerts.length = 0;
    await world.runtime.probe(world.log);

    expect(notified(world.alerts)).toEqual([
      `raised KeyVersionExpired ${policyFollow}`,
      `raised KeyVersionExpired ${policySystem}`,
      `raised KeyVersionExpired ${policyUser}`,
      `resolved ProbeCouldNotSee ${policyFollow}`,
      `resolved ProbeCouldNotSee ${policySystem}`,
      `resolved ProbeCouldNotSee ${policyUser}`,
    ]);
  });

  it("leaves every alert as it was when the Batch account list cannot be read", async () => {
    const world = createWorld(healthyFleet());
    world.standIn.setAccountProvisioningState(fleetAccountId(rbacSystem), "Failed");
    await world.runtime.probe(world.log);
    world.standIn.setAccountProvisioningState(fleetAccountId(rbacSystem), "Succeeded");
    world.standIn.addFault({ operation: "batch.list", reset: true });
    world.alerts.length = 0;

    const run = await world.runtime.probe(world.log);

    expect({ results: run.results, unreadable: run.unreadable }).toEqual({
      results: [],
      unreadable: [{ id: subscription, summary: "ECONNRESET read ECONNRESET", retryable: true }],
    });
    expect(world.alerts).toEqual([]);
    expect(await storedAlerts(world, rbacSystem)).toEqual([
      { check: "AccountProvisioningFailed", status: "open" },
    ]);
  });

  it("probes every other account when one vault fails and one account is broken", async () => {
    const world = createWorld(healthyFleet(), {}, { client: { maxRetries: 0 } });
    world.standIn.addFault({ host: "contoso-rbac.vault.azure.net", reset: true });
    world.standIn.setAccountProvisioningState(fleetAccountId(policyUser), "Failed");

    const run = await world.runtime.probe(world.log);

    expect(statuses(run)).toEqual({
      [policySystem]: "healthy",
      [policyUser]: "critical",
      [policyFollow]: "healthy",
      [rbacSystem]: "unknown",
      [rbacUser]: "unknown",
    });
  });
});
