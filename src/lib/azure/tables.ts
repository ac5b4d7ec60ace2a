/** What the ledger and the alert store share about Azure Table Storage. */
import type { TableClient } from "@azure/data-tables";

/**
 * A table key for an account id. ARM ids compare case-insensitively, so the id is lower-cased;
 * `/` becomes `:` and anything outside a safe set becomes `~` and four hex digits, which keeps the
 * key readable, free of the characters tables refuse (`/ \ # ?` and control characters) and
 * distinct for distinct ids.
 */
export function accountPartitionKey(accountId: string): string {
  let key = "";
  for (const char of accountId.toLowerCase()) {
    if (/[a-z0-9._()-]/.test(char)) key += char;
    else if (char === "/") key += ":";
    else {
      for (const unit of char.split("").map((c) => c.charCodeAt(0))) {
        key += `~${unit.toString(16).padStart(4, "0")}`;
      }
    }
  }
  return key;
}

/**
 * Creates the table on first use. `createTable` already treats "table exists" as success; a failed
 * attempt is forgotten so the next call tries again.
 */
export function tableCreatedOnFirstUse(
  table: Pick<TableClient, "createTable">,
): () => Promise<void> {
  let ready: Promise<void> | undefined;
  return () => {
    ready ??= table.createTable().catch((error: unknown) => {
      ready = undefined;
      throw error;
    });
    return ready;
  };
}
