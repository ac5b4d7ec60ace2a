/** `replay FILE...`: handle saved Event Grid or CloudEvents deliveries exactly as the function would. */
import { readFile, stat } from "node:fs/promises";
import type { Settings } from "../lib/config";
import type { EventReport } from "../lib/delivery";
import { parseDeliveryText } from "../lib/events";
import type { Logger } from "../lib/log";
import { UsageError } from "./args";
import { accountName, shortKid, table } from "./format";
import { openRuntime } from "./open";

export interface CommandOutput {
  readonly print: (text: string) => void;
  readonly log: Logger;
  readonly json: boolean;
}

/**
 * Exits 0 when every event was handled and every account is where it should be; 1 when the
 * function would have failed (and Event Grid redelivered), or any account was refused or failed,
 * or any event was rejected: each of those wants an operator's look.
 */
export async function runReplay(
  files: readonly string[],
  settings: Settings,
  output: CommandOutput,
): Promise<number> {
  if (files.length === 0) throw new UsageError("replay needs at least one file");
  // Every file is read before anything is handled, so a typo cannot leave a replay half done.
  const deliveries = await Promise.all(
    files.map(async (file) => ({ file, text: await readDelivery(file) })),
  );

  const opened = await openRuntime(settings, output.log);
  try {
    let needsAttention = false;
    for (const { file, text } of deliveries) {
      const result = await opened.runtime.handleEvents(
        parseDeliveryText(text, settings),
        output.log,
      );
      needsAttention ||= result.retryable || result.reports.some(wantsAttention);
      for (const report of result.reports) {
        output.print(
          output.json ? JSON.stringify({ file, ...report }) : describeReport(file, report),
        );
      }
    }
    return needsAttention ? 1 : 0;
  } finally {
    await opened.close();
  }
}

async function readDelivery(file: string): Promise<string> {
  const found = await stat(file).catch(() => undefined);
  if (found === undefined) throw new UsageError(`replay: no such file '${file}'`);
  if (!found.isFile()) throw new UsageError(`replay: '${file}' is not a file`);
  return readFile(file, "utf8");
}

function wantsAttention(report: EventReport): boolean {
  if (report.kind === "rejected") return true;
  if (report.kind !== "key") return false;
  return report.result.outcomes.some(
    (outcome) => outcome.decision === "failed" || outcome.decision === "refused",
  );
}

function describeReport(file: string, report: EventReport): string {
  switch (report.kind) {
    case "rejected":
      return `${file}: rejected event ${report.eventId ?? "(no id)"}: ${report.reason}`;
    case "ignored":
      return `${file}: ignored ${report.eventType} ${report.eventId ?? ""}: ${report.reason}`;
    case "vault-policy":
      return `${file}: access policy of ${report.vaultName} changed: ${report.summary}`;
    case "key": {
      const { result } = report;
      const type = result.eventType.replace("Microsoft.KeyVault.", "");
      const head = `${file}: ${type} ${result.eventId} for ${shortKid(result.kid)}`;
      if (result.outcomes.length === 0) return `${head}: no watched account uses this key`;
      const rows = result.outcomes.map((outcome) => [
        accountName(outcome.accountId),
        shortKid(outcome.from),
        shortKid(outcome.to),
        outcome.decision,
        `${outcome.reason}: ${outcome.message}`,
      ]);
      return `${head}\n${table(["account", "from", "to", "decision", "why"], rows)}`;
    }
  }
}
