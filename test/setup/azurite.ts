/**
 * Starts one Azurite table service for the whole run on a free loopback port, and stops it. Before
 * stopping it reads every row of every table the suite left behind (ledger entries, alert state)
 * and fails the run when any looks like a secret.
 */
import { TableClient, TableServiceClient } from "@azure/data-tables";
import type { TestProject } from "vitest/node";
import { startAzurite } from "../../src/cli/azurite";
import { describeFindings } from "../support/secrets";

declare module "vitest" {
  export interface ProvidedContext {
    azuriteConnectionString: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const azurite = await startAzurite();
  project.provide("azuriteConnectionString", azurite.connectionString);
  return async () => {
    try {
      const { tables, rows, findings } = await scanTables(azurite.connectionString);
      if (findings.length > 0) {
        // Vitest only prints an error thrown here; the exit code is what fails the run (and CI).
        process.exitCode = 1;
        throw new Error(
          `secret-looking text in ${findings.length} table row value(s) ` +
            `(${rows} rows in ${tables} tables scanned):\n  ${findings.join("\n  ")}`,
        );
      }
    } finally {
      await azurite.stop();
    }
  };
}

/** Every entity of every table, each scanned as one JSON row. */
export async function scanTables(
  connectionString: string,
): Promise<{ tables: number; rows: number; findings: string[] }> {
  const options = { allowInsecureConnection: true };
  const service = TableServiceClient.fromConnectionString(connectionString, options);
  const findings: string[] = [];
  let tables = 0;
  let rows = 0;
  for await (const table of service.listTables()) {
    if (table.name === undefined) continue;
    tables += 1;
    const client = TableClient.fromConnectionString(connectionString, table.name, options);
    for await (const entity of client.listEntities()) {
      rows += 1;
      const source = `table ${table.name} row ${entity.partitionKey}/${entity.rowKey}`;
      findings.push(...describeFindings([{ source, text: JSON.stringify(entity) }]));
    }
  }
  return { tables, rows, findings };
}
