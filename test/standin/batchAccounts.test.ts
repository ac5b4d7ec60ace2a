import { BatchManagementClient, type BatchAccountUpdateParameters } from "@azure/arm-batch";
import type { RestError } from "@azure/core-rest-pipeline";
import { describe, expect, it } from "vitest";
import { buildFleet, createStandIn } from "../../src/standin";
import {
  basicScenario,
  batchClient,
  cmkVaultUrl,
  collect,
  subscriptionId,
  systemAccountId,
  v0,
  v1,
  v2,
} from "./clients";

const encryptTo = (keyIdentifier: string): BatchAccountUpdateParameters => ({
  encryption: { keySource: "Microsoft.KeyVault", keyVaultProperties: { keyIdentifier } },
});

describe("Batch accounts through BatchManagementClient", () => {
  it("gets an account with its identity, encryption and an ETag", async () => {
    const standIn = createStandIn(basicScenario());
    let etag: string | undefined;
    const account = await batchClient(standIn).batchAccountOperations.get(
      "rg-batch",
      "batchsystem",
      {
        onResponse: (raw) => (etag = raw.headers.get("etag")),
      },
    );

    expect(account.identity).toEqual({
      type: "SystemAssigned",
      principalId: "aaaaaaaa-0000-0000-0000-000000000001",
      tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
    });
    expect(account.encryption).toEqual({
      keySource: "Microsoft.KeyVault",
      keyVaultProperties: { keyIdentifier: `${cmkVaultUrl}/keys/batch-cmk/${v0}` },
    });
    expect(account.provisioningState).toBe("Succeeded");
    expect(etag).toMatch(/^"0x8D[0-9A-F]+"$/);
    expect(standIn.requests.map((r) => [r.operation, r.status, r.authorized])).toEqual([
      ["batch.get", 200, true],
    ]);
  });

  it("answers user-assigned identities keyed by resource id", async () => {
    const standIn = createStandIn(basicScenario());
    const account = await batchClient(standIn).batchAccountOperations.get("rg-batch", "batchuser");
    expect(account.identity?.type).toBe("UserAssigned");
    expect(Object.values(account.identity?.userAssignedIdentities ?? {})).toEqual([
      {
        principalId: "bbbbbbbb-0000-0000-0000-000000000002",
        clientId: "cccccccc-0000-0000-0000-000000000003",
      },
    ]);
  });

  it("compares resource paths case-insensitively, as ARM does", async () => {
    const standIn = createStandIn(basicScenario());
    const account = await batchClient(standIn).batchAccountOperations.get(
      "RG-BATCH",
      "batchsystem",
    );
    expect(account.id).toBe(systemAccountId);
  });

  it("answers 404 ResourceNotFound for a missing account and ResourceGroupNotFound for a missing group", async () => {
    const client = batchClient(createStandIn(basicScenario()));
    await expect(client.batchAccountOperations.get("rg-batch", "nosuch")).rejects.toMatchObject({
      statusCode: 404,
      code: "ResourceNotFound",
    });
    await expect(client.batchAccountOperations.get("rg-nope", "nosuch")).rejects.toMatchObject({
      statusCode: 404,
      code: "ResourceGroupNotFound",
    });
  });

  it("lists a subscription in pages linked by nextLink", async () => {
    const fleet = buildFleet({ accounts: 250 });
    const standIn = createStandIn(fleet, { armPageSize: 100 });
    const client = new BatchManagementClient(standIn.credential, fleet.subscriptions[0]?.id ?? "", {
      httpClient: standIn.httpClient,
    });

    const accounts = await collect(client.batchAccountOperations.list());

    expect(accounts.map((a) => a.id)).toEqual(fleet.accounts.map((a) => a.id));
    expect(standIn.count("batch.list")).toBe(3);
    expect(standIn.requests.map((r) => r.query.$skiptoken === undefined)).toEqual([
      true,
      false,
      false,
    ]);
  });

  it("lists one resource group, and an existing empty group as empty", async () => {
    const client = batchClient(createStandIn(basicScenario()));
    const inGroup = await collect(client.batchAccountOperations.listByResourceGroup("rg-batch"));
    expect(inGroup.map((a) => a.name)).toEqual(["batchsystem", "batchuser"]);
    expect(await collect(client.batchAccountOperations.listByResourceGroup("rg-empty"))).toEqual(
      [],
    );
  });

  it("PATCHes the key identifier synchronously, answering the whole account and a new ETag", async () => {
    const standIn = createStandIn(basicScenario());
    const before = standIn.getAccount(systemAccountId);
    const newKey = `${cmkVaultUrl}/keys/batch-cmk/${v1}`;

    const updated = await batchClient(standIn).batchAccountOperations.update(
      "rg-batch",
      "batchsystem",
      encryptTo(newKey),
    );

    expect(updated.encryption?.keyVaultProperties?.keyIdentifier).toBe(newKey);
    expect(updated.identity?.principalId).toBe("aaaaaaaa-0000-0000-0000-000000000001");
    expect(standIn.getAccount(systemAccountId)).toMatchObject({
      keyIdentifier: newKey,
      updates: 1,
    });
    expect(standIn.getAccount(systemAccountId)?.etag).not.toBe(before?.etag);
    expect(standIn.requests.map((r) => [r.method, r.operation, r.status])).toEqual([
      ["PATCH", "batch.update", 200],
    ]);
  });

  it.each([
    [
      "a version that does not exist",
      `${cmkVaultUrl}/keys/batch-cmk/${"f".repeat(32)}`,
      /not found/,
    ],
    ["a disabled version", `${cmkVaultUrl}/keys/batch-cmk/${v2}`, /is disabled/],
    [
      "a key the identity has no policy for",
      "https://legacy-kv.vault.azure.net/keys/old-key",
      /lacks get/,
    ],
    [
      "a vault of another cloud",
      "https://contoso-cmk.vault.azure.cn/keys/batch-cmk",
      /not a Key Vault/,
    ],
  ])(
    "refuses a PATCH to %s with 400 InvalidKeyVaultReference",
    async (_, keyIdentifier, reason) => {
      const standIn = createStandIn(basicScenario());
      const error: RestError = await batchClient(standIn)
        .batchAccountOperations.update("rg-batch", "batchsystem", encryptTo(keyIdentifier))
        .then(
          () => expect.fail("the PATCH was accepted"),
          (e: RestError) => e,
        );

      expect(error).toMatchObject({ statusCode: 400, code: "InvalidKeyVaultReference" });
      const details = (error.details as { error: { details: { message: string }[] } }).error
        .details;
      expect(details[0]?.message).toMatch(reason);
      expect(standIn.getAccount(systemAccountId)?.keyIdentifier).toBe(
        `${cmkVaultUrl}/keys/batch-cmk/${v0}`,
      );
    },
  );

  it("accepts a key the identity reaches through an RBAC role assignment", async () => {
    const standIn = createStandIn(basicScenario());
    const key = "https://contoso-rbac.vault.azure.net/keys/rbac-key";
    const account = await batchClient(standIn).batchAccountOperations.update(
      "rg-batch",
      "batchuser",
      encryptTo(key),
    );
    expect(account.encryption?.keyVaultProperties?.keyIdentifier).toBe(key);
  });

  it("refuses that key once the role assignment is removed", async () => {
    const standIn = createStandIn(basicScenario());
    const assignment = standIn.scenario.roleAssignments[0];
    standIn.removeRoleAssignment(assignment?.name ?? "");
    const key = "https://contoso-rbac.vault.azure.net/keys/rbac-key";
    await expect(
      batchClient(standIn).batchAccountOperations.update("rg-batch", "batchuser", encryptTo(key)),
    ).rejects.toMatchObject({ statusCode: 400, code: "InvalidKeyVaultReference" });
  });

  it("keeps paging stable for a 10,000-account fleet and answers quickly", async () => {
    const fleet = buildFleet({ accounts: 10_000, subscriptions: 2 });
    const standIn = createStandIn(fleet, { recordRequests: false });
    const last = fleet.accounts.at(-1);
    const client = new BatchManagementClient(standIn.credential, last?.subscriptionId ?? "", {
      httpClient: standIn.httpClient,
    });
    const started = performance.now();

    const listed = await collect(
      new BatchManagementClient(standIn.credential, fleet.subscriptions[1]?.id ?? "", {
        httpClient: standIn.httpClient,
      }).batchAccountOperations.list(),
    );
    const got = await client.batchAccountOperations.get(
      last?.resourceGroup ?? "",
      last?.name ?? "",
    );

    expect(got.id).toBe(last?.id);
    expect(listed).toHaveLength(5_000);
    expect(standIn.count("batch.list")).toBe(50);
    expect(standIn.requests).toEqual([]);
    expect(performance.now() - started).toBeLessThan(5_000);
  });

  it("serves only the scenario's subscriptions", async () => {
    const standIn = createStandIn(basicScenario());
    expect(subscriptionId).toBe(standIn.scenario.subscriptions[0]?.id);
    const other = new BatchManagementClient(
      standIn.credential,
      "99999999-9999-9999-9999-999999999999",
      { httpClient: standIn.httpClient },
    );
    await expect(collect(other.batchAccountOperations.list())).rejects.toMatchObject({
      statusCode: 404,
      code: "SubscriptionNotFound",
    });
  });
});
