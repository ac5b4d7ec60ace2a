import { describe, expect, it } from "vitest";
import { createStandIn, fakeToken } from "../../src/standin";
import { basicScenario, cmkVaultUrl, collect, keyClient, v0, v1, v2 } from "./clients";

const fixedNow = new Date("2025-03-01T12:00:00Z");
const fixedSeconds = fixedNow.getTime() / 1000;

describe("Key Vault keys through KeyClient", () => {
  it("challenges the first request without a token, then serves it with the bearer token", async () => {
    const standIn = createStandIn(basicScenario());
    const seenTokens: (string | undefined)[] = [];
    const key = await keyClient(standIn).getKey("batch-cmk", {
      version: v1,
      onResponse: (raw) => seenTokens.push(raw.request.headers.get("authorization")),
    });

    expect(key.id).toBe(`${cmkVaultUrl}/keys/batch-cmk/${v1}`);
    expect(standIn.requests.map((r) => [r.operation, r.status, r.authorized])).toEqual([
      ["keyvault.challenge", 401, false],
      ["keys.get", 200, true],
    ]);
    expect(seenTokens).toEqual([`Bearer ${fakeToken}`]);
  });

  it("answers the challenge exactly as recorded, with the cloud's resource", async () => {
    const standIn = createStandIn(basicScenario());
    const challenge = await standIn.httpClient.sendRequest({
      url: `${cmkVaultUrl}/keys/batch-cmk/?api-version=7.5`,
      method: "GET",
      headers: (await import("@azure/core-rest-pipeline")).createHttpHeaders(),
      timeout: 0,
      withCredentials: false,
      requestId: "1",
    });

    expect(challenge.status).toBe(401);
    expect(challenge.headers.get("www-authenticate")).toBe(
      'Bearer authorization="https://login.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47", ' +
        'resource="https://vault.azure.net"',
    );
    expect(challenge.headers.get("content-length")).toBe("97");
    expect(JSON.parse(challenge.bodyAsText ?? "")).toEqual({
      error: {
        code: "Unauthorized",
        message: "AKV10000: Request is missing a Bearer or PoP token.",
      },
    });
  });

  it("serves the current version for a versionless get, with a modulus of the key's size", async () => {
    const standIn = createStandIn(basicScenario(), { disabledKeyGet: "ok" });
    const key = await keyClient(standIn).getKey("BATCH-CMK");

    expect(key.properties.version).toBe(v2);
    expect(key.properties.enabled).toBe(false);
    expect(key.key?.kty).toBe("RSA");
    expect(key.key?.n?.length).toBe(3072 / 8);
    expect((key.key?.n?.[0] ?? 0) & 0x80).toBe(0x80);
    expect(Array.from(key.key?.e ?? [])).toEqual([1, 0, 1]);
    expect(key.keyOperations).toEqual([
      "encrypt",
      "decrypt",
      "sign",
      "verify",
      "wrapKey",
      "unwrapKey",
    ]);
  });

  it("gives the same key material for the same version every time", async () => {
    const first = await keyClient(createStandIn(basicScenario())).getKey("batch-cmk", {
      version: v0,
    });
    const second = await keyClient(createStandIn(basicScenario())).getKey("batch-cmk", {
      version: v0,
    });
    expect(Buffer.from(first.key?.n ?? []).equals(Buffer.from(second.key?.n ?? []))).toBe(true);
  });

  it("answers 403 Forbidden with inner code KeyDisabled for a disabled version by default", async () => {
    const client = keyClient(createStandIn(basicScenario()));
    await expect(client.getKey("batch-cmk", { version: v2 })).rejects.toMatchObject({
      statusCode: 403,
      code: "Forbidden",
      message: "Operation get is not allowed on a disabled key.",
    });
  });

  it("carries epoch-second attributes and the vault's recovery level", async () => {
    const standIn = createStandIn(basicScenario());
    const key = await keyClient(standIn).getKey("batch-cmk", { version: v1 });
    expect(key.properties).toMatchObject({
      enabled: true,
      expiresOn: new Date("2026-06-01T00:00:00Z"),
      createdOn: new Date("2024-06-01T00:00:00Z"),
      recoveryLevel: "CustomizedRecoverable",
      recoverableDays: 7,
    });
  });

  it("answers 404 KeyNotFound with the recorded message", async () => {
    const client = keyClient(createStandIn(basicScenario()));
    await expect(client.getKey("missing-key")).rejects.toMatchObject({
      statusCode: 404,
      code: "KeyNotFound",
      message:
        "A key with (name/id) missing-key was not found in this key vault. If you recently deleted " +
        "this key you may be able to recover it using the correct recovery command. For help " +
        "resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182",
    });
  });

  it("lists versions in pages, following nextLinks that carry :443, with disabled ones shown", async () => {
    const standIn = createStandIn(basicScenario(), { keyVersionsPageSize: 2 });
    const versions = await collect(keyClient(standIn).listPropertiesOfKeyVersions("batch-cmk"));

    expect(versions.map((v) => [v.version, v.enabled])).toEqual([
      [v0, true],
      [v1, true],
      [v2, false],
    ]);
    expect(standIn.count("keys.versions")).toBe(2);
    expect(standIn.requests.at(-1)?.query.$skiptoken).toBeDefined();
  });

  it("rotates to a new enabled current version shaped like the old one, stamped by the clock", async () => {
    const standIn = createStandIn(basicScenario(), { clock: () => fixedNow });
    const rotated = await keyClient(standIn).rotateKey("batch-cmk");

    expect(rotated.properties.version).toMatch(/^[0-9a-f]{32}$/);
    expect(rotated.properties.createdOn).toEqual(fixedNow);
    expect(rotated.key?.n?.length).toBe(3072 / 8);
    expect(standIn.keyVersions("contoso-cmk", "batch-cmk")).toEqual([
      v0,
      v1,
      v2,
      rotated.properties.version,
    ]);
    expect(standIn.count("keys.rotate")).toBe(1);
  });

  it("serves a soft-deleted key with its recovery id and purge date, until it is purged", async () => {
    const scenario = basicScenario();
    const standIn = createStandIn(scenario, { clock: () => fixedNow });
    standIn.deleteKey("legacy-kv", "old-key");
    const client = keyClient(standIn, "https://legacy-kv.vault.azure.net");

    const deleted = await client.getDeletedKey("old-key");

    expect(deleted.properties).toMatchObject({
      recoveryId: "https://legacy-kv.vault.azure.net/deletedkeys/old-key",
      deletedOn: fixedNow,
      scheduledPurgeDate: new Date((fixedSeconds + 90 * 86_400) * 1000),
    });
    await expect(client.getKey("old-key")).rejects.toMatchObject({ code: "KeyNotFound" });

    standIn.purgeKey("legacy-kv", "old-key");
    await expect(client.getDeletedKey("old-key")).rejects.toMatchObject({
      statusCode: 404,
      message: "Deleted Key not found: old-key",
    });
  });

  it("refuses to purge a key in a vault with purge protection", () => {
    const standIn = createStandIn(basicScenario());
    standIn.deleteKey("contoso-cmk", "batch-cmk");
    expect(() => standIn.purgeKey("contoso-cmk", "batch-cmk")).toThrow(/purge protection/);
  });

  it("reflects attribute changes made through the mutation API", async () => {
    const standIn = createStandIn(basicScenario(), { clock: () => fixedNow });
    standIn.setKeyVersionAttributes("contoso-cmk", "batch-cmk", v0, {
      exp: new Date("2025-01-01T00:00:00Z"),
      ops: ["wrapKey"],
    });
    standIn.enableKeyVersion("contoso-cmk", "batch-cmk", v2);
    const client = keyClient(standIn);

    const changed = await client.getKey("batch-cmk", { version: v0 });
    expect(changed.keyOperations).toEqual(["wrapKey"]);
    expect(changed.properties.expiresOn).toEqual(new Date("2025-01-01T00:00:00Z"));
    expect(changed.properties.updatedOn).toEqual(fixedNow);
    expect((await client.getKey("batch-cmk", { version: v2 })).properties.enabled).toBe(true);
  });

  it("serves EC keys with a curve and coordinates", async () => {
    const key = await keyClient(createStandIn(basicScenario())).getKey("ec-key");
    expect(key.key).toMatchObject({ kty: "EC", crv: "P-256" });
    expect(key.key?.x?.length).toBe(32);
  });
});
