/** The ledger over Azure Table Storage (the Function App's own storage account; Azurite offline). */
import { type TableClient, type TableEntityResult, odata } from "@azure/data-tables";
import { LedgerUnavailableError, classifyError } from "../errors";
import { type Claim, type Ledger, type LedgerEntry, staleClaimMs } from "../ledger";
import { accountPartitionKey, tableCreatedOnFirstUse } from "./tables";

interface LedgerRow {
  partitionKey: string;
  rowKey: string;
  accountId: string;
  previousKeyIdentifier?: string;
  newKeyIdentifier: string;
  eventId: string;
  eventType: string;
  changedOn: Date;
  outcome: string;
  detail?: string;
}

/** One row per change: the same target for the same account is the same change. */
function changeRow(newKeyIdentifier: string): string {
  return encodeURIComponent(newKeyIdentifier.toLowerCase()).replace(/%/g, "~");
}

export function createTableLedger(table: TableClient): Ledger {
  const ensureTable = tableCreatedOnFirstUse(table);

  const guarded = async <T>(action: string, work: () => Promise<T>): Promise<T> => {
    try {
      await ensureTable();
      return await work();
    } catch (error) {
      if (error instanceof LedgerUnavailableError) throw error;
      throw new LedgerUnavailableError(`ledger ${action} failed: ${classifyError(error).summary}`, {
        cause: error,
      });
    }
  };

  const keepEarlierRecord = async (existing: TableEntityResult<LedgerRow>): Promise<void> => {
    const earlier: LedgerRow = {
      ...toRow(toEntry(existing)),
      rowKey: `${existing.rowKey}@${new Date(existing.changedOn).toISOString()}`,
    };
    try {
      await table.createEntity(earlier);
    } catch (error) {
      // A concurrent claim kept it already.
      if (classifyError(error).kind !== "conflict") throw error;
    }
  };

  return {
    claim: (intent, now) =>
      guarded("claim", async (): Promise<Claim> => {
        const row: LedgerRow = {
          partitionKey: accountPartitionKey(intent.accountId),
          rowKey: changeRow(intent.newKeyIdentifier),
          accountId: intent.accountId,
          newKeyIdentifier: intent.newKeyIdentifier,
          eventId: intent.eventId,
          eventType: intent.eventType,
          changedOn: now,
          outcome: "pending",
          ...(intent.previousKeyIdentifier !== undefined && {
            previousKeyIdentifier: intent.previousKeyIdentifier,
          }),
        };
        try {
          const created = await table.createEntity(row);
          return { status: "claimed", token: { entry: toEntry(row), etag: created.etag ?? "" } };
        } catch (error) {
          if (classifyError(error).kind !== "conflict") throw error;
        }

        const existing = await table.getEntity<LedgerRow>(row.partitionKey, row.rowKey);
        const entry = toEntry(existing);
        if (entry.outcome === "applied") {
          // The same event again (a redelivery, perhaps after an operator undid the change), or
          // another instance that just made it: the change stands as recorded.
          if (!undoneSince(entry, intent.eventId, now)) return { status: "already-applied", entry };
          // Another event needs the same change later, so the account was moved off it since
          // (rotation claims only after reading the account under its lock). The earlier record
          // keeps a row of its own; then the change row is taken over as below.
          await keepEarlierRecord(existing);
        }
        if (
          entry.outcome === "pending" &&
          now.getTime() - entry.changedOn.getTime() < staleClaimMs
        ) {
          return { status: "in-progress", entry };
        }
        // A failed attempt, or a claim whose invocation died: take it over, but only if nobody
        // else took it over since we read it.
        try {
          const updated = await table.updateEntity(row, "Replace", { etag: existing.etag });
          return { status: "claimed", token: { entry: toEntry(row), etag: updated.etag ?? "" } };
        } catch (error) {
          if (classifyError(error).kind !== "conflict") throw error;
          return { status: "in-progress", entry };
        }
      }),

    complete: (token, outcome, now, detail) =>
      guarded("completion", async () => {
        const row: LedgerRow = {
          ...toRow(token.entry),
          changedOn: now,
          outcome,
          ...(detail !== undefined && { detail }),
        };
        await table.updateEntity(row, "Replace", { etag: token.etag });
        return toEntry(row);
      }),

    settle: (accountId, newKeyIdentifier, now) =>
      guarded("settle", async () => {
        let existing: TableEntityResult<LedgerRow>;
        try {
          existing = await table.getEntity<LedgerRow>(
            accountPartitionKey(accountId),
            changeRow(newKeyIdentifier),
          );
        } catch (error) {
          if (classifyError(error).kind === "not-found") return undefined;
          throw error;
        }
        const entry = toEntry(existing);
        if (entry.outcome === "applied") return undefined;
        const row: LedgerRow = { ...toRow(entry), changedOn: now, outcome: "applied" };
        delete row.detail;
        try {
          await table.updateEntity(row, "Replace", { etag: existing.etag });
        } catch (error) {
          // Someone else completed or took over the row since we read it; theirs stands.
          if (classifyError(error).kind === "conflict") return undefined;
          throw error;
        }
        return toEntry(row);
      }),

    list: (filter = {}) =>
      guarded("read", async () => {
        const queryOptions =
          filter.accountId === undefined
            ? {}
            : { filter: odata`PartitionKey eq ${accountPartitionKey(filter.accountId)}` };
        const entries: LedgerEntry[] = [];
        for await (const row of table.listEntities<LedgerRow>({ queryOptions })) {
          entries.push(toEntry(row));
        }
        entries.sort((a, b) => b.changedOn.getTime() - a.changedOn.getTime());
        return filter.limit === undefined ? entries : entries.slice(0, filter.limit);
      }),
  };
}

/**
 * An applied change claimed again by a different event, long enough after it was made that it is
 * not the same change racing in from another instance.
 */
function undoneSince(entry: LedgerEntry, eventId: string, now: Date): boolean {
  return entry.eventId !== eventId && now.getTime() - entry.changedOn.getTime() >= staleClaimMs;
}

function toEntry(row: LedgerRow | TableEntityResult<LedgerRow>): LedgerEntry {
  return {
    accountId: row.accountId,
    previousKeyIdentifier: row.previousKeyIdentifier,
    newKeyIdentifier: row.newKeyIdentifier,
    eventId: row.eventId,
    eventType: row.eventType,
    changedOn: new Date(row.changedOn),
    outcome: row.outcome as LedgerEntry["outcome"],
    detail: row.detail,
  };
}

function toRow(entry: LedgerEntry): LedgerRow {
  return {
    partitionKey: accountPartitionKey(entry.accountId),
    rowKey: changeRow(entry.newKeyIdentifier),
    accountId: entry.accountId,
    newKeyIdentifier: entry.newKeyIdentifier,
    eventId: entry.eventId,
    eventType: entry.eventType,
    changedOn: entry.changedOn,
    outcome: entry.outcome,
    ...(entry.previousKeyIdentifier !== undefined && {
      previousKeyIdentifier: entry.previousKeyIdentifier,
    }),
    ...(entry.detail !== undefined && { detail: entry.detail }),
  };
}
