import { TableClient } from "@azure/data-tables";
import { beforeAll, describe, expect, inject, it } from "vitest";
import {
  type AlertNotification,
  type AlertRecord,
  type CheckObservation,
  AlertManager,
} from "../src/lib/alerts";
import { tableAlertStore } from "../src/lib/azure/alertStore";
import { accountPartitionKey } from "../src/lib/azure/tables";
import { probeReasons } from "../src/lib/checks";
import { createMemoryLogger } from "../src/lib/log";

const t0 = new Date("2026-03-01T12:00:00.000Z");
const accountId =
  "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/batch-rg/providers/Microsoft.Batch/batchAccounts/contosobatch";

let table: TableClient;

beforeAll(() => {
  table = TableClient.fromConnectionString(inject("azuriteConnectionString"), "alertStoreTest", {
    allowInsecureConnection: true,
  });
});

function record(overrides: Partial<AlertRecord> = {}): AlertRecord {
  return {
    accountId,
    check: "KeyVersionDisabled",
    status: "open",
    severity: "critical",
    message: "https://contoso-cmk.vault.azure.net/keys/batch-cmk/0123: key version is disabled",
    remedy: "Re-enable the key version, or move the account to a usable version.",
    vault: "contoso-cmk",
    keyName: "batch-cmk",
    version: "0123456789abcdef0123456789abcdef",
    consecutiveFailures: 2,
    firstFailedOn: t0,
    lastFailedOn: new Date("2026-03-01T12:05:00.000Z"),
    raisedOn: t0,
    lastNotifiedOn: t0,
    resolvedOn: undefined,
    ...overrides,
  };
}

describe("account partition keys", () => {
  it.each([
    [
      "an ARM id, lower-cased with / as :",
      "/subscriptions/AB/resourceGroups/RG/providers/Microsoft.Batch/batchAccounts/x",
      ":subscriptions:ab:resourcegroups:rg:providers:microsoft.batch:batchaccounts:x",
    ],
    ["characters tables refuse", "a\\b#c?d", "a~005cb~0023c~003fd"],
    ["the escape characters themselves", "a:b~c", "a~003ab~007ec"],
  ])("encode %s", (_, id, key) => {
    expect(accountPartitionKey(id)).toBe(key);
  });

  it("keep distinct ids distinct and ids differing only in case together", () => {
    expect(accountPartitionKey("/a:b")).not.toBe(accountPartitionKey(":a/b"));
    expect(accountPartitionKey(accountId.toUpperCase())).toBe(accountPartitionKey(accountId));
  });
});

describe("the table alert store", () => {
  it("creates, reads back and lists a record as written", async () => {
    const store = tableAlertStore(table);
    const id = `${accountId}1`;
    const written = await store.put(record({ accountId: id }), undefined);
    expect(written.outcome).toBe("written");

    const read = await store.get(id, "KeyVersionDisabled");
    expect(read).toEqual({
      record: record({ accountId: id }),
      etag: written.outcome === "written" ? written.etag : "",
    });
    expect(await store.listForAccount(id.toUpperCase())).toEqual([read]);
    expect(await store.get(id, "KeyNotFound")).toBeUndefined();
  });

  it("refuses to create a row that exists, or to replace one changed since it was read", async () => {
    const store = tableAlertStore(table);
    const id = `${accountId}2`;
    const first = await store.put(record({ accountId: id }), undefined);
    if (first.outcome !== "written") throw new Error("first write failed");

    expect(await store.put(record({ accountId: id }), undefined)).toEqual({ outcome: "conflict" });
    const second = await store.put(record({ accountId: id, consecutiveFailures: 3 }), first.etag);
    expect(second.outcome).toBe("written");
    expect(await store.put(record({ accountId: id, consecutiveFailures: 9 }), first.etag)).toEqual({
      outcome: "conflict",
    });
    expect((await store.get(id, "KeyVersionDisabled"))?.record.consecutiveFailures).toBe(3);
  });

  it("drops a value that became undefined on replace", async () => {
    const store = tableAlertStore(table);
    const id = `${accountId}3`;
    const first = await store.put(record({ accountId: id, resolvedOn: t0 }), undefined);
    if (first.outcome !== "written") throw new Error("first write failed");
    await store.put(record({ accountId: id, resolvedOn: undefined }), first.etag);
    expect((await store.get(id, "KeyVersionDisabled"))?.record.resolvedOn).toBeUndefined();
  });
});

describe("two alert managers over the same table", () => {
  it("raise each failing check once when they probe at the same time", async () => {
    const failingChecks = ["KeyVersionDisabled", "VaultPurgeProtectionOff"] as const;
    const observations: CheckObservation[] = probeReasons.map((check) => ({
      check,
      observation: (failingChecks as readonly string[]).includes(check)
        ? {
            kind: "failing",
            finding: { check, severity: "critical", message: `${check} failed`, remedy: "fix it" },
          }
        : { kind: "passing" },
    }));
    const sent: AlertNotification[] = [];
    let conflicts = 0;
    const countingStore = () => {
      const store = tableAlertStore(table);
      return {
        ...store,
        put: async (...args: Parameters<typeof store.put>) => {
          const result = await store.put(...args);
          if (result.outcome === "conflict") conflicts++;
          return result;
        },
      };
    };
    const runs = Array.from(
      { length: 2 },
      () =>
        new AlertManager({
          store: countingStore(),
          sinks: [{ name: "recording", send: (notification) => void sent.push(notification) }],
          settings: { alertAfterFailures: 1, reminderIntervalMinutes: 240 },
          log: createMemoryLogger(),
        }),
    );
    const accounts = Array.from({ length: 10 }, (_, index) => `${accountId}race${index}`);

    for (const minute of [0, 5]) {
      const on = new Date(t0.getTime() + minute * 60_000);
      await Promise.all(
        accounts.flatMap((id) =>
          runs.map((run) => run.observe({ accountId: id }, observations, on)),
        ),
      );
    }

    expect(sent.map((notification) => notification.kind)).toEqual(
      Array.from({ length: accounts.length * failingChecks.length }, () => "raised"),
    );
    const pairs = new Set(
      sent.map((notification) => `${notification.accountId} ${notification.check}`),
    );
    expect(pairs.size).toBe(accounts.length * failingChecks.length);
    // The runs really did collide on rows, and the ETags settled it.
    expect(conflicts).toBeGreaterThan(0);
  });
});
