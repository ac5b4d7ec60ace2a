import { TableClient } from "@azure/data-tables";
import { beforeEach, describe, expect, inject, it } from "vitest";
import { createTableLedger } from "../src/lib/azure/ledgerTable";
import { LedgerUnavailableError } from "../src/lib/errors";
import { staleClaimMs } from "../src/lib/ledger";
import { accountId } from "./support/fakes";
import { kid, v } from "./support/keys";

let tableCount = 0;
function freshTable(): TableClient {
  return TableClient.fromConnectionString(
    inject("azuriteConnectionString"),
    `ledger${Date.now()}${tableCount++}`,
    {
      allowInsecureConnection: true,
    },
  );
}

const t0 = new Date("2026-12-04T12:00:00Z");
const intent = {
  accountId: accountId("pinned"),
  previousKeyIdentifier: kid(v(2)),
  newKeyIdentifier: kid(v(3)),
  eventId: "evt-1",
  eventType: "Microsoft.KeyVault.KeyNewVersionCreated",
};

describe("the table ledger", () => {
  let table: TableClient;
  beforeEach(() => {
    table = freshTable();
  });

  it("records a claimed change and its outcome, and lists it newest first", async () => {
    const ledger = createTableLedger(table);
    const claim = await ledger.claim(intent, t0);
    if (claim.status !== "claimed") throw new Error(`expected a claim, got ${claim.status}`);
    await ledger.complete(claim.token, "applied", new Date(t0.getTime() + 1000));
    const other = await ledger.claim(
      { ...intent, accountId: accountId("second") },
      new Date(t0.getTime() + 5000),
    );
    if (other.status !== "claimed") throw new Error("expected a claim");
    await ledger.complete(other.token, "failed", new Date(t0.getTime() + 6000), "409 Conflict");

    expect(await ledger.list()).toEqual([
      {
        ...intent,
        accountId: accountId("second"),
        changedOn: new Date(t0.getTime() + 6000),
        outcome: "failed",
        detail: "409 Conflict",
      },
      {
        ...intent,
        changedOn: new Date(t0.getTime() + 1000),
        outcome: "applied",
        detail: undefined,
      },
    ]);
    expect(await ledger.list({ accountId: accountId("PINNED") })).toHaveLength(1);
  });

  it("reports a change already made instead of claiming it twice", async () => {
    const ledger = createTableLedger(table);
    const first = await ledger.claim(intent, t0);
    if (first.status !== "claimed") throw new Error("expected a claim");
    await ledger.complete(first.token, "applied", t0);

    const second = await ledger.claim({ ...intent, eventId: "evt-2" }, t0);

    expect(second.status).toBe("already-applied");
  });

  it("gives exactly one of several concurrent claims on the same change", async () => {
    const ledger = createTableLedger(table);
    const claims = await Promise.all(
      Array.from({ length: 5 }, (_, index) =>
        ledger.claim({ ...intent, eventId: `evt-${index}` }, t0),
      ),
    );

    expect(claims.filter((claim) => claim.status === "claimed")).toHaveLength(1);
    expect(claims.filter((claim) => claim.status === "in-progress")).toHaveLength(4);
  });

  it("lets a retry take over a failed attempt, and a stale claim of a dead invocation", async () => {
    const ledger = createTableLedger(table);
    const first = await ledger.claim(intent, t0);
    if (first.status !== "claimed") throw new Error("expected a claim");
    await ledger.complete(first.token, "failed", t0, "503 ServiceUnavailable");

    expect((await ledger.claim(intent, t0)).status).toBe("claimed");
    expect((await ledger.claim(intent, new Date(t0.getTime() + 1000))).status).toBe("in-progress");
    expect((await ledger.claim(intent, new Date(t0.getTime() + staleClaimMs + 1000))).status).toBe(
      "claimed",
    );
    expect(await ledger.list()).toHaveLength(1);
  });

  it("throws a LedgerUnavailableError when storage cannot be reached", async () => {
    const unreachable = TableClient.fromConnectionString(
      "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;TableEndpoint=http://127.0.0.1:9/devstoreaccount1;",
      "ledger",
      { allowInsecureConnection: true, retryOptions: { maxRetries: 0 } },
    );
    const ledger = createTableLedger(unreachable);

    const claim = ledger.claim(intent, t0);

    await expect(claim).rejects.toBeInstanceOf(LedgerUnavailableError);
    await expect(claim).rejects.toThrow(/^ledger claim failed: /);
  });
});
