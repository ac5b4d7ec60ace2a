/**
 * `batch-cmk-guard`: the operator's command line over the same entry points as the Function App.
 *
 *   replay FILE... [--dry-run] [--json]    handle Event Grid or CloudEvents JSON files
 *   probe [--account ID] [--json]          probe CMK accounts now; exits 1 when any is critical
 *   history [--account ID] [--json]        the change ledger, newest first
 *   demo                                   the rotation and revocation story on the stand-in
 *
 *   --simulate SCENARIO.json               run any command against the offline stand-in
 */
import { readFile } from "node:fs/promises";
import { SettingsError, loadSettings, settingNames } from "../lib/config";
import { parseDeliveryText } from "../lib/events";
import { createLogger, redact, tapOutput } from "../lib/log";
import { UsageError, parseArgs } from "./args";
import { runDemo } from "./demo";
import { accountName, shortKid, table } from "./format";
import { openRuntime } from "./open";
import { runProbeCommand } from "./probeCommand";
import { settingsEnvironment } from "./settings";

const usage = `usage: batch-cmk-guard <command> [options]

commands:
  replay FILE...     handle Event Grid or CloudEvents JSON files (one event or an array)
                     exactly as the function would  [--dry-run] [--json]
  probe              probe every watched CMK account now  [--account ID] [--json]
  history            the change ledger, newest first  [--account ID] [--limit N] [--json]
  demo               the rotation and revocation story on the offline stand-in

options:
  --simulate FILE    run against the offline stand-in seeded from a scenario file
  --verbose          also print debug lines
  --help             this text

Settings come from the environment, or the Values of ./local.settings.json.`;

/** Where the command line writes: `process.stdout`/`stderr`, or any writable a test passes. */
export type Output = Pick<NodeJS.WritableStream, "write">;

export async function main(
  argv: readonly string[],
  out: Output = process.stdout,
  err: Output = process.stderr,
): Promise<number> {
  const print = (text: string) => {
    tapOutput("cli", text);
    out.write(`${text}\n`);
  };
  const warn = (text: string) => {
    tapOutput("cli", text);
    err.write(`${text}\n`);
  };
  try {
    const args = parseArgs(
      argv,
      ["simulate", "account", "limit"],
      ["dry-run", "json", "verbose", "help"],
    );
    if (args.flags.help || args.command === undefined) {
      print(usage);
      return args.command === undefined && !args.flags.help ? 2 : 0;
    }
    const verbose = args.flags.verbose === true;
    const log = createLogger({
      debug: (line) => verbose && warn(`debug ${line}`),
      info: (line) => (args.flags.json ? undefined : warn(`info  ${line}`)),
      warn: (line) => warn(`warn  ${line}`),
      error: (line) => warn(`error ${line}`),
    });

    if (args.command === "demo") return await runDemo({ print, log: verbose ? log : undefined });

    const env = settingsEnvironment(process.cwd(), process.env);
    if (typeof args.flags.simulate === "string") env[settingNames.simulate] = args.flags.simulate;
    if (args.flags["dry-run"]) env[settingNames.dryRun] = "true";
    if (typeof args.flags.account === "string") {
      // One account named on the command line is the whole fleet for this run.
      env[settingNames.accountIds] = args.flags.account;
      env[settingNames.subscriptionIds] = "";
    }
    const settings = loadSettings(env);

    switch (args.command) {
      case "replay": {
        if (args.positionals.length === 0) throw new UsageError("replay needs at least one file");
        const opened = await openRuntime(settings);
        try {
          let failed = false;
          for (const file of args.positionals) {
            const events = parseDeliveryText(await readFile(file, "utf8"), settings);
            const result = await opened.runtime.handleEvents(events, log);
            failed ||= result.retryable;
            for (const report of result.reports) {
              if (args.flags.json) print(JSON.stringify({ file, ...report }));
              else print(describeReport(file, report));
            }
          }
          return failed ? 1 : 0;
        } finally {
          await opened.close();
        }
      }

      case "history": {
        const limit = args.flags.limit === undefined ? undefined : Number(args.flags.limit);
        if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
          throw new UsageError("--limit needs a whole number of at least 1");
        const opened = await openRuntime(settings);
        try {
          const account = typeof args.flags.account === "string" ? args.flags.account : undefined;
          const entries = await opened.runtime.history({
            ...(account && { accountId: account }),
            ...(limit && { limit }),
          });
          if (args.flags.json) {
            for (const entry of entries) print(JSON.stringify(entry));
          } else if (entries.length === 0) {
            print("no changes recorded");
          } else {
            print(
              table(
                ["when", "account", "from", "to", "outcome", "event"],
                entries.map((entry) => [
                  entry.changedOn.toISOString(),
                  accountName(entry.accountId),
                  shortKid(entry.previousKeyIdentifier),
                  shortKid(entry.newKeyIdentifier),
                  entry.outcome,
                  `${entry.eventType.replace("Microsoft.KeyVault.", "")} ${entry.eventId}`,
                ]),
              ),
            );
            print(
              "\nto undo a change: az batch account set --name <account> --resource-group <group> --encryption-key-identifier <from>",
            );
          }
          return 0;
        } finally {
          await opened.close();
        }
      }

      case "probe":
        return await runProbeCommand(settings, { json: args.flags.json === true, print, log });

      default:
        throw new UsageError(`unknown command '${args.command}'`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      warn(`${error.message}\n\n${usage}`);
      return 2;
    }
    if (error instanceof SettingsError) {
      warn(error.message);
      return 2;
    }
    // An SDK or storage error can quote a connection string or a header: redact it like a log line.
    warn(`error: ${redact(error instanceof Error ? error.message : String(error))}`);
    return 1;
  }
}

function describeReport(file: string, report: import("../lib/delivery").EventReport): string {
  switch (report.kind) {
    case "rejected":
      return `${file}: rejected event ${report.eventId ?? "(no id)"}: ${report.reason}`;
    case "ignored":
      return `${file}: ignored ${report.eventType} ${report.eventId ?? ""}: ${report.reason}`;
    case "vault-policy":
      return `${file}: access policy of ${report.vaultName} changed: ${report.summary}`;
    case "key": {
      const { result } = report;
      const head = `${file}: ${result.eventType.replace("Microsoft.KeyVault.", "")} ${result.eventId} for ${shortKid(result.kid)}`;
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

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`error: ${String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
