/** `probe`: probe the watched accounts now, print what was found, exit 1 when any is critical. */
import type { Settings } from "../lib/config";
import type { Logger } from "../lib/log";
import type { ProbeRun } from "../lib/runtime";
import { summariseProbe } from "../lib/runtime";
import { accountName, shortKid, table } from "./format";
import { openRuntime } from "./open";

export async function runProbeCommand(
  settings: Settings,
  options: { json: boolean; print: (text: string) => void; log: Logger },
): Promise<number> {
  const opened = await openRuntime(settings);
  try {
    const run = await opened.runtime.probe(options.log);
    if (options.json) {
      for (const result of run.results) options.print(JSON.stringify(result));
      for (const entry of run.unreadable)
        options.print(
          JSON.stringify({ accountId: entry.id, status: "unknown", unreadable: entry.summary }),
        );
    } else {
      options.print(formatProbe(run));
    }
    return run.results.some((result) => result.status === "critical") ? 1 : 0;
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
    rows.push([accountName(entry.id), "-", "unknown", "unreadable", entry.summary]);
  return `${table(["account", "key", "status", "finding", "detail and remedy"], rows)}\n\n${summariseProbe(run)}`;
}
