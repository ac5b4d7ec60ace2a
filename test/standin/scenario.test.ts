import { KeyClient } from "@azure/keyvault-keys";
import { describe, expect, it } from "vitest";
import {
  buildFleet,
  createStandIn,
  fakeCredential,
  loadScenario,
  ScenarioError,
} from "../../src/standin";
import { loadSimulation } from "../../src/standin/simulation";
import { basicScenario, v0 } from "./clients";
import { join } from "node:path";

const minimal = () => ({
  tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
  subscriptions: ["11111111-1111-1111-1111-111111111111"],
  vaults: [
    {
      name: "kv-one",
      subscriptionId: "11111111-1111-1111-1111-111111111111",
      resourceGroup: "rg",
      keys: [{ name: "k", size: 2048 }] as Record<string, unknown>[],
    },
  ],
});

describe("loadScenario", () => {
  it("fills in defaults: public cloud, a vault Batch accepts, one RSA-2048 version", () => {
    const scenario = loadScenario(minimal());
    expect(scenario.cloud).toBe("public");
    expect(scenario.vaults[0]).toMatchObject({
      enableSoftDelete: true,
      enablePurgeProtection: true,
      enableRbacAuthorization: false,
      softDeleteRetentionInDays: 90,
      location: "eastus",
    });
    expect(scenario.vaults[0]?.keys[0]?.versions).toEqual([
      expect.objectContaining({
        kty: "RSA",
        size: 2048,
        enabled: true,
        version: expect.stringMatching(/^[0-9a-f]{32}$/),
      }),
    ]);
  });

  it("resolves an account's key reference to a versioned key identifier", () => {
    expect(basicScenario().accounts[0]?.keyIdentifier).toBe(
      `https://contoso-cmk.vault.azure.net/keys/batch-cmk/${v0}`,
    );
  });

  it.each([
    [
      "a bad key size",
      (s: ReturnType<typeof minimal>) => (s.vaults[0]!.keys[0]!.size = 1000),
      "vaults[0].keys[0].size: expected one of 1024, 2048, 3072, 4096, found number 1000",
    ],
    [
      "a non-GUID tenant",
      (s: ReturnType<typeof minimal>) => (s.tenantId = "contoso"),
      'tenantId: expected a GUID, found "contoso"',
    ],
    [
      "an unknown field",
      (s: ReturnType<typeof minimal>) => (s.vaults[0]!.keys[0]!.colour = "red"),
      "vaults[0].keys[0].colour: unknown field",
    ],
    [
      "a short version id",
      (s: ReturnType<typeof minimal>) => (s.vaults[0]!.keys[0]!.versions = [{ version: "abc" }]),
      'vaults[0].keys[0].versions[0].version: expected 32 hexadecimal characters, found "abc"',
    ],
    [
      "a bad date",
      (s: ReturnType<typeof minimal>) => (s.vaults[0]!.keys[0]!.versions = [{ exp: "soon" }]),
      'vaults[0].keys[0].versions[0].exp: expected an ISO 8601 date, found "soon"',
    ],
  ])("names the field when given %s", (_, spoil, message) => {
    const json = minimal();
    spoil(json);
    expect(() => loadScenario(json)).toThrow(ScenarioError);
    expect(() => loadScenario(json)).toThrow(message);
  });

  it("refuses an account in a subscription the scenario does not list", () => {
    const json = {
      ...minimal(),
      accounts: [
        {
          subscriptionId: "22222222-2222-2222-2222-222222222222",
          resourceGroup: "rg",
          name: "acct1",
        },
      ],
    };
    expect(() => loadScenario(json)).toThrow(
      'accounts[0].subscriptionId: expected a subscription listed in subscriptions, found "22222222-2222-2222-2222-222222222222"',
    );
  });

  it("opens the example scenario with loadSimulation and names the file when it cannot", async () => {
    const simulation = await loadSimulation(join(__dirname, "scenarios", "basic.json"));
    expect(simulation.scenario.accounts).toHaveLength(3);
    await expect(loadSimulation(join(__dirname, "scenarios", "missing.json"))).rejects.toThrow(
      ScenarioError,
    );
  });
});

describe("buildFleet", () => {
  it("builds healthy CMK accounts spread over vaults, one vault per 500 accounts", () => {
    const fleet = buildFleet({ accounts: 1200 });
    expect(fleet.vaults.map((v) => v.accessPolicies.length)).toEqual([400, 400, 400]);
    expect(fleet.accounts[0]?.keyIdentifier).toMatch(
      /^https:\/\/kv-fleet-0\.vault\.azure\.net\/keys\/batch-cmk\/[0-9a-f]{32}$/,
    );
  });

  it("is reproducible and can use RBAC, shared identities and versionless pins", () => {
    const options = {
      accounts: 4,
      access: "rbac",
      identity: "sharedUserAssigned",
      pin: "versionless",
    } as const;
    const fleet = buildFleet(options);
    expect(buildFleet(options)).toEqual(fleet);
    expect(fleet.roleAssignments).toHaveLength(1);
    expect(fleet.accounts.map((a) => a.keyIdentifier)).toEqual(
      Array(4).fill("https://kv-fleet-0.vault.azure.net/keys/batch-cmk"),
    );
  });

  it("plays the china cloud with its own vault suffix and challenge resource", async () => {
    const standIn = createStandIn(buildFleet({ accounts: 1, cloud: "china" }));
    const client = new KeyClient("https://kv-fleet-0.vault.azure.cn", fakeCredential, {
      httpClient: standIn.httpClient,
    });
    const key = await client.getKey("batch-cmk");
    expect(key.id).toMatch(/^https:\/\/kv-fleet-0\.vault\.azure\.cn\/keys\/batch-cmk\//);
    expect(standIn.requests.map((r) => r.operation)).toEqual(["keyvault.challenge", "keys.get"]);
  });
});
