import { TableClient } from "@azure/data-tables";
import { describe, expect, inject, it } from "vitest";

describe("the test storage", () => {
  it("is a running Azurite table service on loopback", async () => {
    const connection = inject("azuriteConnectionString");
    expect(connection).toContain("127.0.0.1");
    const table = TableClient.fromConnectionString(connection, "smoke", {
      allowInsecureConnection: true,
    });
    await table.createTable();
    await table.createEntity({ partitionKey: "p", rowKey: "r", value: 1 });
    const entity = await table.getEntity<{ value: number }>("p", "r");
    expect(entity.value).toBe(1);
  });
});
