import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../src/standin/scenario";
import { createWorld } from "./support/harness";

const demo = () => loadScenario(JSON.parse(readFileSync("scenarios/demo.json", "utf8")));
const subscription = "6f1d2c3b-4a59-4e8d-9c7b-1a2b3c4d5e6f";
const vaultId = `/subscriptions/${subscription}/resourceGroups/security-rg/providers/Microsoft.KeyVault/vaults/contoso-cmk`;
const accountId = (name: string) =>
  `/subscriptions/${subscription}/resourceGroups/batch-rg/providers/Microsoft.Batch/batchAccounts/${name}`;

function newVersionEvent(version: string, id = `evt-${version}`) {
  return {
    id,
    topic: vaultId,
    subject: "batch-cmk",
    eventType: "Microsoft.KeyVault.KeyNewVersionCreated",
    eventTime: "2026-12-04T09:00:00Z",
    data: {
      Id: `https://contoso-cmk.vault.azure.net/keys/batch-cmk/${version}`,
      VaultName: "contoso-cmk",
      ObjectType: "Key",
      ObjectName: "batch-cmk",
      Version: version,
      NBF: null,
      EXP: null,
    },
    dataVersion: "1",
    metadataVersion: "1",
  };
}

describe("rotation through the real SDK clients into the stand-in", () => {
  it("moves pinned accounts, records each change in Azurite, and spends a fixed number of calls per account", async () => {
    const world = createWorld(demo());
    const version = world.standIn.addKeyVersion("contoso-cmk", "batch-cmk");
    world.standIn.reset();

    const result = await world.runtime.handleDelivery(newVersionEvent(version), world.log);

    expect(result.retryable).toBe(false);
    const kid = `https://contoso-cmk.vault.azure.net/keys/batch-cmk/${version}`;
    expect(world.standIn.getAccount(accountId("batchprod"))?.keyIdentifier).toBe(kid);
    expect(world.standIn.getAccount(accountId("batchetl"))?.keyIdentifier).toBe(kid);
    expect(world.standIn.getAccount(accountId("batchfollow"))?.keyIdentifier).toBe(
      "https://contoso-cmk.vault.azure.net/keys/batch-cmk",
    );
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
        id: accountId("batchetl"),
        previousKeyIdentifier:
          "https://contoso-cmk.vault.azure.net/keys/batch-cmk/7d2e3b4a5c6d4e8f9a0b1c2d3e4f5a6b",
        newKeyIdentifier: kid,
        eventId: `evt-${version}`,
        outcome: "applied",
      },
      {
        id: accountId("batchprod"),
        previousKeyIdentifier:
          "https://contoso-cmk.vault.azure.net/keys/batch-cmk/7d2e3b4a5c6d4e8f9a0b1c2d3e4f5a6b",
        newKeyIdentifier: kid,
        eventId: `evt-${version}`,
        outcome: "applied",
      },
    ]);
    expect(world.standIn.untrustedRequests).toEqual([]);
  });

  it("fails the delivery so Event Grid redelivers when one account's PATCH keeps failing, and the redelivery completes it", async () => {
    const world = createWorld(demo());
    const version = world.standIn.addKeyVersion("contoso-cmk", "batch-cmk");
    world.standIn.addFault({
      operation: "batch.update",
      path: /batchetl$/i,
      status: 500,
      times: 10,
    });

    const first = await world.runtime.handleDelivery(newVersionEvent(version), world.log);

    expect(first.retryable).toBe(true);
    const kid = `https://contoso-cmk.vault.azure.net/keys/batch-cmk/${version}`;
    expect(world.standIn.getAccount(accountId("batchprod"))?.keyIdentifier).toBe(kid);
    expect(world.standIn.getAccount(accountId("batchetl"))?.keyIdentifier).not.toBe(kid);
    expect(world.alerts.map((alert) => `${alert.kind} ${alert.check}`)).toEqual([
      "raised RotationPatchFailed",
    ]);

    world.standIn.clearFaults();
    const retry = await world.runtime.handleDelivery(newVersionEvent(version), world.log);

    expect(retry.retryable).toBe(false);
    expect(world.standIn.getAccount(accountId("batchetl"))?.keyIdentifier).toBe(kid);
    expect((await world.runtime.history()).map((entry) => entry.outcome)).toEqual([
      "applied",
      "applied",
    ]);
    expect(world.alerts.map((alert) => `${alert.kind} ${alert.check}`)).toEqual([
      "raised RotationPatchFailed",
      "resolved RotationPatchFailed",
    ]);
  });
});
