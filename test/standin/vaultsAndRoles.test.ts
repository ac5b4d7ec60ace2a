import { describe, expect, it } from "vitest";
import { createStandIn } from "../../src/standin";
import {
  authorizationClient,
  basicScenario,
  collect,
  subscriptionId,
  vaultClient,
} from "./clients";

const rbacVaultId = `/subscriptions/${subscriptionId}/resourceGroups/rg-keys/providers/Microsoft.KeyVault/vaults/contoso-rbac`;
const userPrincipal = "bbbbbbbb-0000-0000-0000-000000000002";

describe("Key Vault vaults through KeyVaultManagementClient", () => {
  it("gets a vault with soft delete, purge protection, RBAC flag, URI and access policies", async () => {
    const vault = await vaultClient(createStandIn(basicScenario())).vaults.get(
      "rg-keys",
      "contoso-cmk",
    );
    expect(vault.properties).toMatchObject({
      enableSoftDelete: true,
      enablePurgeProtection: true,
      enableRbacAuthorization: false,
      vaultUri: "https://contoso-cmk.vault.azure.net/",
      accessPolicies: [
        {
          tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
          objectId: "aaaaaaaa-0000-0000-0000-000000000001",
          permissions: { keys: ["get", "wrapKey", "unwrapKey"], secrets: [], certificates: [] },
        },
      ],
    });
  });

  it("leaves enablePurgeProtection out of the body when it is off, as the service does", async () => {
    const standIn = createStandIn(basicScenario());
    let body: Record<string, unknown> = {};
    const vault = await vaultClient(standIn).vaults.get("rg-legacy", "legacy-kv", {
      onResponse: (raw) => (body = JSON.parse(raw.bodyAsText ?? "{}") as Record<string, unknown>),
    });
    expect(vault.properties.enablePurgeProtection).toBeUndefined();
    expect(body.properties).not.toHaveProperty("enablePurgeProtection");
    expect(body.properties).toHaveProperty("enableSoftDelete", true);
  });

  it("lists the subscription's vaults in pages", async () => {
    const standIn = createStandIn(basicScenario(), { armPageSize: 2 });
    const vaults = await collect(vaultClient(standIn).vaults.listBySubscription());
    expect(vaults.map((v) => v.name)).toEqual(["contoso-cmk", "contoso-rbac", "legacy-kv"]);
    expect(standIn.count("vaults.list")).toBe(2);
  });

  it("shows access policy and property changes on the next read", async () => {
    const standIn = createStandIn(basicScenario());
    standIn.removeAccessPolicy("contoso-cmk", "aaaaaaaa-0000-0000-0000-000000000001");
    standIn.setVaultProperties("contoso-cmk", {
      enableRbacAuthorization: true,
      enableSoftDelete: false,
    });
    const vault = await vaultClient(standIn).vaults.get("rg-keys", "contoso-cmk");
    expect(vault.properties).toMatchObject({
      accessPolicies: [],
      enableRbacAuthorization: true,
      enableSoftDelete: false,
    });
    expect(() =>
      standIn.setVaultProperties("contoso-cmk", { enablePurgeProtection: false }),
    ).toThrow(/cannot be turned off/);
  });

  it("answers 404 ResourceNotFound for a vault that does not exist", async () => {
    const client = vaultClient(createStandIn(basicScenario()));
    await expect(client.vaults.get("rg-keys", "nosuch-vault")).rejects.toMatchObject({
      statusCode: 404,
      code: "ResourceNotFound",
    });
  });
});

describe("Authorization through AuthorizationManagementClient", () => {
  it("lists a principal's assignments at and above the scope with the principalId filter", async () => {
    const standIn = createStandIn(basicScenario());
    const client = authorizationClient(standIn);
    const assignments = await collect(
      client.roleAssignments.listForScope(`${rbacVaultId}/keys/rbac-key`, {
        filter: `principalId eq '${userPrincipal}'`,
      }),
    );

    expect(assignments.map((a) => [a.scope, a.roleDefinitionId?.split("/").pop()])).toEqual([
      [rbacVaultId, "e147488a-f6f5-4113-8e2d-b22465e65bf6"],
      [`/subscriptions/${subscriptionId}`, "21090545-7ca7-4776-b22c-e363652d74d2"],
    ]);
    expect(standIn.requests[0]?.query.$filter).toBe(`principalId eq '${userPrincipal}'`);
  });

  it("includes assignments below the scope, and none for an unknown principal", async () => {
    const client = authorizationClient(createStandIn(basicScenario()));
    const below = await collect(
      client.roleAssignments.listForScope(
        `/subscriptions/${subscriptionId}/resourceGroups/rg-keys`,
        {
          filter: `principalId eq '${userPrincipal}'`,
        },
      ),
    );
    expect(below.map((a) => a.scope)).toEqual([rbacVaultId, `/subscriptions/${subscriptionId}`]);
    const none = await collect(
      client.roleAssignments.listForScope(rbacVaultId, {
        filter: "principalId eq '00000000-0000-0000-0000-000000000000'",
      }),
    );
    expect(none).toEqual([]);
  });

  it("sees assignments added and removed at run time", async () => {
    const standIn = createStandIn(basicScenario());
    const id = standIn.addRoleAssignment({
      principalId: "dddddddd-0000-0000-0000-000000000004",
      scope: rbacVaultId,
      roleDefinitionId: "14b46e9e-c2b7-41b4-b07b-48a6ebf60603",
    });
    const client = authorizationClient(standIn);
    const filter = "principalId eq 'dddddddd-0000-0000-0000-000000000004'";
    expect(
      (await collect(client.roleAssignments.listForScope(rbacVaultId, { filter }))).map(
        (a) => a.id,
      ),
    ).toEqual([id]);
    standIn.removeRoleAssignment(id);
    expect(await collect(client.roleAssignments.listForScope(rbacVaultId, { filter }))).toEqual([]);
  });

  it.each([
    [
      "e147488a-f6f5-4113-8e2d-b22465e65bf6",
      "Key Vault Crypto Service Encryption User",
      [
        "Microsoft.KeyVault/vaults/keys/read",
        "Microsoft.KeyVault/vaults/keys/wrap/action",
        "Microsoft.KeyVault/vaults/keys/unwrap/action",
      ],
    ],
    [
      "14b46e9e-c2b7-41b4-b07b-48a6ebf60603",
      "Key Vault Crypto Officer",
      ["Microsoft.KeyVault/vaults/keys/*", "Microsoft.KeyVault/vaults/keyrotationpolicies/*"],
    ],
    [
      "21090545-7ca7-4776-b22c-e363652d74d2",
      "Key Vault Reader",
      ["Microsoft.KeyVault/vaults/secrets/readMetadata/action"],
    ],
  ])(
    "gets the built-in role %s (%s) by id with its data actions",
    async (guid, roleName, dataActions) => {
      const client = authorizationClient(createStandIn(basicScenario()));
      const role = await client.roleDefinitions.getById(
        `/subscriptions/${subscriptionId}/providers/Microsoft.Authorization/roleDefinitions/${guid}`,
      );
      expect(role.roleName).toBe(roleName);
      expect(role.roleType).toBe("BuiltInRole");
      expect(role.permissions?.[0]?.dataActions).toEqual(dataActions);
    },
  );

  it("answers 404 RoleDefinitionDoesNotExist for an unknown role", async () => {
    const client = authorizationClient(createStandIn(basicScenario()));
    await expect(
      client.roleDefinitions.get(rbacVaultId, "00000000-0000-0000-0000-000000000000"),
    ).rejects.toMatchObject({ statusCode: 404, code: "RoleDefinitionDoesNotExist" });
  });
});
