/**
 * `probe`: probe the watched accounts now and print what was found. Exits 1 when any account is
 * critical, 3 when none is but some could not be seen (unknown is never healthy), else 0.
 */
import type { Settings } from "../lib/config";
import type { ProbeRun } from "../lib/runtime";
import { summariseProbe } from "../lib/runtime";
import { accountName, shortKid, table } from "./format";
import { openRuntime } from "./open";
import type { CommandOutput } from "./replayCommand";

export async function runProbeCommand(settings: Settings, options: CommandOutput): Promise<number> {
  const opened = await openRuntime(settings, options.log);
  try {
    const run = await opened.runtime.probe(options.log);
    if (options.json) {
      for (const result of run.results) options.print(JSON.stringify(result));
      for (const entry of run.unreadable)
        options.print(
          JSON.stringify({ accountId: entry.id, status: "unknown", notProbed: entry.summary }),
        );
    } else {
      options.print(formatProbe(run));
    }
    if (run.results.some((result) => result.status === "critical")) return 1;
    const unseen = run.unreadable.length > 0 || run.discoveryFailure !== undefined;
    return unseen || run.results.some((result) => result.status === "unknown") ? 3 : 0;
  } finally {
    await opened.close();
  }
}

export function formatProbe(run: ProbeRun): string {
  const rows = run.results.flatMap((result) => {
    const head = [accountName(result.accountId), shortKid(result.keyIdentifier), result.status];
    if (result.findings.length === 0) return [[...head, "-", ""]];
    return result.findings.map((finding, index) => [
      ...(index === 0 ? head : ["", "", ""]),
      `${finding.severity} ${finding.check}`,
      `${finding.message}. ${finding.remedy}`,
    ]);
  });
  for (const entry of run.unreadable)
    rows.push([accountName(entry.id), "-", "unknown", "not probed", entry.summary]);
  if (rows.length === 0)
    return `no account with a customer-managed key to probe\n\n${summariseProbe(run)}`;
  return `${table(["account", "key", "status", "finding", "detail and remedy"], rows)}\n\n${summariseProbe(run)}`;
}
