/**
 * Alert state in Azure Table Storage: one partition per account, one row per check. Writes carry
 * the ETag read, so two probe runs cannot overwrite each other's changes.
 */
import { odata, type TableClient, type TableEntityResult } from "@azure/data-tables";
import type { AlertRecord, AlertStore, StoredAlert, WriteResult } from "../alerts";
import type { Severity } from "../checks";
import { classifyError } from "../errors";
import { accountPartitionKey, tableCreatedOnFirstUse } from "./tables";

type AlertTable = Pick<
  TableClient,
  "createTable" | "listEntities" | "getEntity" | "createEntity" | "updateEntity"
>;

/** Stored columns; dates as ISO strings so every reader sees the same text. */
interface AlertEntity {
  accountId: string;
  check: string;
  status: string;
  severity: string;
  message: string;
  remedy: string;
  vault?: string;
  keyName?: string;
  version?: string;
  consecutiveFailures: number;
  firstFailedOn?: string;
  lastFailedOn?: string;
  raisedOn?: string;
  lastNotifiedOn?: string;
  resolvedOn?: string;
}

/** The alert store over one table, created on first use. */
export function tableAlertStore(table: AlertTable): AlertStore {
  const ensureTable = tableCreatedOnFirstUse(table);

  return {
    async listAll() {
      await ensureTable();
      const found: StoredAlert[] = [];
      for await (const entity of table.listEntities<AlertEntity>()) found.push(toStored(entity));
      return found;
    },

    async listForAccount(accountId) {
      await ensureTable();
      const found: StoredAlert[] = [];
      const pages = table.listEntities<AlertEntity>({
        queryOptions: { filter: odata`PartitionKey eq ${accountPartitionKey(accountId)}` },
      });
      for await (const entity of pages) found.push(toStored(entity));
      return found;
    },

    async get(accountId, check) {
      await ensureTable();
      try {
        const entity = await table.getEntity<AlertEntity>(accountPartitionKey(accountId), check);
        return toStored(entity);
      } catch (error) {
        if (classifyError(error).kind === "not-found") return undefined;
        throw error;
      }
    },

    async put(record, etag): Promise<WriteResult> {
      await ensureTable();
      const entity = {
        partitionKey: accountPartitionKey(record.accountId),
        rowKey: record.check,
        ...toEntity(record),
      };
      try {
        const response =
          etag === undefined
            ? await table.createEntity(entity)
            : await table.updateEntity(entity, "Replace", { etag });
        return { outcome: "written", etag: response.etag ?? "" };
      } catch (error) {
        if (classifyError(error).kind === "conflict") return { outcome: "conflict" };
        throw error;
      }
    },
  };
}

function toEntity(record: AlertRecord): AlertEntity {
  const entity: AlertEntity = {
    accountId: record.accountId,
    check: record.check,
    status: record.status,
    severity: record.severity,
    message: record.message,
    remedy: record.remedy,
    consecutiveFailures: record.consecutiveFailures,
  };
  // Replace drops columns left out, which is how an undefined value is stored.
  if (record.vault !== undefined) entity.vault = record.vault;
  if (record.keyName !== undefined) entity.keyName = record.keyName;
  if (record.version !== undefined) entity.version = record.version;
  if (record.firstFailedOn) entity.firstFailedOn = record.firstFailedOn.toISOString();
  if (record.lastFailedOn) entity.lastFailedOn = record.lastFailedOn.toISOString();
  if (record.raisedOn) entity.raisedOn = record.raisedOn.toISOString();
  if (record.lastNotifiedOn) entity.lastNotifiedOn = record.lastNotifiedOn.toISOString();
  if (record.resolvedOn) entity.resolvedOn = record.resolvedOn.toISOString();
  return entity;
}

function toStored(entity: TableEntityResult<AlertEntity>): StoredAlert {
  const date = (value: string | undefined): Date | undefined =>
    value === undefined ? undefined : new Date(value);
  return {
    etag: entity.etag,
    record: {
      accountId: entity.accountId,
      check: entity.check,
      status: entity.status === "open" ? "open" : "closed",
      severity: toSeverity(entity.severity),
      message: entity.message,
      remedy: entity.remedy,
      vault: entity.vault,
      keyName: entity.keyName,
      version: entity.version,
      consecutiveFailures: Number(entity.consecutiveFailures) || 0,
      firstFailedOn: date(entity.firstFailedOn),
      lastFailedOn: date(entity.lastFailedOn),
      raisedOn: date(entity.raisedOn),
      lastNotifiedOn: date(entity.lastNotifiedOn),
      resolvedOn: date(entity.resolvedOn),
    },
  };
}

function toSeverity(value: string): Severity {
  return value === "critical" || value === "warning" ? value : "unknown";
}
