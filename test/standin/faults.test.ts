import { BatchManagementClient } from "@azure/arm-batch";
import { describe, expect, it } from "vitest";
import { createStandIn } from "../../src/standin";
import { basicScenario, batchClient, cmkVaultUrl, keyClient, subscriptionId, v1 } from "./clients";

describe("fault injection", () => {
  it("answers an injected 429 with Retry-After, which the SDK honours before retrying", async () => {
    const standIn = createStandIn(basicScenario());
    const fault = standIn.addFault({
      operation: "batch.get",
      status: 429,
      retryAfter: 1,
      times: 1,
    });
    const started = performance.now();

    const account = await batchClient(standIn).batchAccountOperations.get(
      "rg-batch",
      "batchsystem",
    );

    expect(account.name).toBe("batchsystem");
    expect(performance.now() - started).toBeGreaterThanOrEqual(950);
    expect(standIn.requests.map((r) => [r.operation, r.status, r.fault])).toEqual([
      ["batch.get", 429, "status"],
      ["batch.get", 200, undefined],
    ]);
    expect(fault.hits).toBe(1);
  });

  it("uses the service's error body shape with the code and message asked for", async () => {
    const standIn = createStandIn(basicScenario());
    standIn.addFault({ operation: "keys.get", status: 409, code: "Conflict", message: "busy" });
    await expect(keyClient(standIn).getKey("batch-cmk", { version: v1 })).rejects.toMatchObject({
      statusCode: 409,
      code: "Conflict",
      message: "busy",
    });
  });

  it("keeps failing a status fault with no times limit until the rule is removed", async () => {
    const standIn = createStandIn(basicScenario());
    const fault = standIn.addFault({
      method: "GET",
      path: /batchAccounts\/batchsystem$/i,
      status: 500,
    });
    const client = batchClient(standIn);
    await expect(
      client.batchAccountOperations.get("rg-batch", "batchsystem"),
    ).rejects.toMatchObject({
      statusCode: 500,
      code: "InternalServerError",
    });
    expect(fault.hits).toBe(4);
    fault.remove();
    await expect(
      client.batchAccountOperations.get("rg-batch", "batchsystem"),
    ).resolves.toBeDefined();
  });

  it("resets the connection with ECONNRESET, which the SDK retries", async () => {
    const standIn = createStandIn(basicScenario());
    standIn.addFault({ host: "management.azure.com", reset: true, times: 2 });
    const account = await batchClient(standIn).batchAccountOperations.get(
      "rg-batch",
      "batchsystem",
    );
    expect(account.name).toBe("batchsystem");
    expect(standIn.requests.map((r) => [r.fault, r.status])).toEqual([
      ["reset", undefined],
      ["reset", undefined],
      [undefined, 200],
    ]);
  });

  it("throws a RestError with code ECONNRESET to the caller of the http client", async () => {
    const standIn = createStandIn(basicScenario());
    standIn.addFault({ reset: true });
    const { createPipelineRequest } = await import("@azure/core-rest-pipeline");
    const request = createPipelineRequest({
      url: `https://management.azure.com/subscriptions/${subscriptionId}`,
    });
    await expect(standIn.httpClient.sendRequest(request)).rejects.toMatchObject({
      name: "RestError",
      code: "ECONNRESET",
    });
  });

  it("never answers a timed-out request until its abort signal fires, then rejects with AbortError", async () => {
    const standIn = createStandIn(basicScenario());
    standIn.addFault({ operation: "keys.get", timeout: true });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);

    const started = performance.now();
    const outcome = keyClient(standIn).getKey("batch-cmk", { abortSignal: controller.signal });

    await expect(outcome).rejects.toMatchObject({ name: "AbortError" });
    expect(performance.now() - started).toBeGreaterThanOrEqual(45);
    expect(standIn.requests.at(-1)).toMatchObject({ operation: "keys.get", fault: "timeout" });
  });

  it("applies a rule only `times` times", async () => {
    const standIn = createStandIn(basicScenario());
    const fault = standIn.addFault({ operation: "batch.get", status: 503, times: 2 });
    await batchClient(standIn).batchAccountOperations.get("rg-batch", "batchsystem");
    expect(standIn.requests.map((r) => r.status)).toEqual([503, 503, 200]);
    expect([fault.hits, fault.remaining]).toEqual([2, 0]);
  });

  it("adds latency to one operation only, and globally when asked", async () => {
    const standIn = createStandIn(basicScenario());
    standIn.setLatency(120, "batch.get");
    const client = batchClient(standIn);

    let started = performance.now();
    await client.batchAccountOperations.get("rg-batch", "batchsystem");
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);

    started = performance.now();
    await keyClient(standIn).getKey("batch-cmk", { version: v1 });
    expect(performance.now() - started).toBeLessThan(100);

    standIn.clearLatency();
    standIn.setLatency(60);
    started = performance.now();
    await keyClient(standIn).getKey("batch-cmk", { version: v1 });
    // The challenge and the authorized GET each wait.
    expect(performance.now() - started).toBeGreaterThanOrEqual(115);
  });

  it("counts requests per operation and forgets them on reset", async () => {
    const standIn = createStandIn(basicScenario());
    await keyClient(standIn).getKey("batch-cmk", { version: v1 });
    expect(standIn.counts()).toEqual({ "keyvault.challenge": 1, "keys.get": 1 });
    standIn.reset();
    expect([standIn.counts(), standIn.requests]).toEqual([{}, []]);
  });
});

describe("the untrusted-host guard", () => {
  it("refuses a host it does not serve with a connection error and records it", async () => {
    const standIn = createStandIn(basicScenario());
    const stranger = keyClient(standIn, "https://attacker.vault.azure.net");

    await expect(stranger.getKey("batch-cmk")).rejects.toMatchObject({
      name: "RestError",
      code: "REQUEST_SEND_ERROR",
    });
    expect(standIn.untrustedRequests.map((r) => [r.host, r.path, r.authorized])).toEqual([
      ["attacker.vault.azure.net", "/keys/batch-cmk/", false],
    ]);
  });

  it("treats another cloud's ARM host as untrusted", async () => {
    const standIn = createStandIn(basicScenario());
    const china = new BatchManagementClient(standIn.credential, subscriptionId, {
      httpClient: standIn.httpClient,
      endpoint: "https://management.chinacloudapi.cn",
      retryOptions: { maxRetries: 0 },
    });
    await expect(china.batchAccountOperations.get("rg-batch", "batchsystem")).rejects.toMatchObject(
      {
        code: "REQUEST_SEND_ERROR",
      },
    );
    expect(standIn.untrustedRequests.map((r) => r.host)).toEqual(["management.chinacloudapi.cn"]);
  });

  it("leaves the list empty when only scenario hosts are called", async () => {
    const standIn = createStandIn(basicScenario());
    await keyClient(standIn, cmkVaultUrl).getKey("batch-cmk", { version: v1 });
    await batchClient(standIn).batchAccountOperations.get("rg-batch", "batchsystem");
    expect(standIn.untrustedRequests).toEqual([]);
  });
});
