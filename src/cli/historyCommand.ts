/** `history`: the change ledger, newest first, with what each change replaced and how to undo it. */
import { parseAccountId } from "../lib/azure/batch";
import type { Settings } from "../lib/config";
import type { LedgerEntry } from "../lib/ledger";
import { accountName, shortKid, table } from "./format";
import { openRuntime } from "./open";
import type { CommandOutput } from "./replayCommand";

/** Undo commands printed under the table; `--json` gives every entry in full. */
const maxUndoLines = 10;

export async function runHistory(
  settings: Settings,
  filter: { accountId?: string; limit?: number },
  output: CommandOutput,
): Promise<number> {
  const opened = await openRuntime(settings, output.log);
  try {
    const entries = await opened.runtime.history(filter);
    if (output.json) {
      for (const entry of entries) output.print(JSON.stringify(entry));
    } else if (entries.length === 0) {
      output.print("no changes recorded");
    } else {
      output.print(formatHistory(entries));
    }
    return 0;
  } finally {
    await opened.close();
  }
}

export function formatHistory(entries: readonly LedgerEntry[]): string {
  const rows = entries.map((entry) => [
    entry.changedOn.toISOString(),
    accountName(entry.accountId),
    shortKid(entry.previousKeyIdentifier),
    shortKid(entry.newKeyIdentifier),
    entry.outcome,
    `${entry.eventType.replace("Microsoft.KeyVault.", "")} ${entry.eventId}`,
  ]);
  const undoable = entries.filter(
    (entry) => entry.outcome === "applied" && entry.previousKeyIdentifier !== undefined,
  );
  const undo = undoable.slice(0, maxUndoLines).map((entry) => `  ${undoCommand(entry)}`);
  if (undoable.length > maxUndoLines)
    undo.push(`  (${undoable.length - maxUndoLines} more: use --json)`);
  const lines = [table(["when", "account", "from", "to", "outcome", "event"], rows)];
  if (undo.length > 0) lines.push("", "to undo a change, newest first:", ...undo);
  return lines.join("\n");
}

function undoCommand(entry: LedgerEntry): string {
  const { subscriptionId, resourceGroup, name } = parseAccountId(entry.accountId);
  return (
    `az batch account set --subscription ${subscriptionId} --resource-group ${resourceGroup} ` +
    `--name ${name} --encryption-key-identifier ${entry.previousKeyIdentifier ?? ""}`
  );
}
