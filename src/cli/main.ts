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
import { SettingsError, loadSettings, settingNames } from "../lib/config";
import { parseAccountId } from "../lib/azure/batch";
import { createLogger, redact, tapOutput } from "../lib/log";
import { UsageError, parseArgs } from "./args";
import { runDemo } from "./demo";
import { ScenarioError } from "../standin/scenario";
import { runHistory } from "./historyCommand";
import { runProbeCommand } from "./probeCommand";
import { runReplay } from "./replayCommand";
import { settingsEnvironment } from "./settings";

const usage = `usage: batch-cmk-guard <command> [options]

commands:
  replay FILE...     handle Event Grid or CloudEvents JSON files (one event or an array)
                     exactly as the function would  [--dry-run] [--json]
  probe              probe every watched CMK account now  [--account ID] [--json]
  history            the change ledger, newest first  [--account ID] [--limit N] [--json]
  demo               the rotation and revocation story on the offline stand-in
  help               this text

options:
  --simulate FILE    run against the offline stand-in seeded from a scenario file
                     (its subscriptions are watched unless settings name accounts or subscriptions)
  --verbose          also print debug lines
  --help             this text

Settings come from the environment, or the Values of ./local.settings.json.
Exit codes: 0 done; 1 work failed or needs a look (probe: an account is critical);
2 usage or settings error; 3 (probe) some accounts could not be seen.`;

/** What each command accepts beside `--verbose` and `--help`. */
const commands: Readonly<Record<string, { flags: readonly string[]; files: boolean }>> = {
  replay: { flags: ["simulate", "dry-run", "json"], files: true },
  probe: { flags: ["simulate", "account", "json"], files: false },
  history: { flags: ["simulate", "account", "limit", "json"], files: false },
  demo: { flags: [], files: false },
};

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
    if (args.flags.help || args.command === "help") {
      print(usage);
      return 0;
    }
    if (args.command === undefined) throw new UsageError("no command given");
    const command = commands[args.command];
    if (command === undefined) throw new UsageError(`unknown command '${args.command}'`);
    for (const flag of Object.keys(args.flags)) {
      if (flag !== "verbose" && !command.flags.includes(flag)) {
        throw new UsageError(`${args.command} does not take --${flag}`);
      }
    }
    if (!command.files && args.positionals.length > 0) {
      throw new UsageError(`${args.command} takes no arguments, found '${args.positionals[0]}'`);
    }
    const account = typeof args.flags.account === "string" ? args.flags.account : undefined;
    if (account !== undefined) checkAccountId(account);
    const limit = args.flags.limit === undefined ? undefined : Number(args.flags.limit);
    if (limit !== undefined && (!Number.isInteger(limit) || limit < 1)) {
      throw new UsageError("--limit needs a whole number of at least 1");
    }

    const verbose = args.flags.verbose === true;
    const json = args.flags.json === true;
    const log = createLogger({
      debug: (line) => verbose && warn(`debug ${line}`),
      info: (line) => (json ? undefined : warn(`info  ${line}`)),
      warn: (line) => warn(`warn  ${line}`),
      error: (line) => warn(`error ${line}`),
    });

    if (args.command === "demo") return await runDemo({ print, log: verbose ? log : undefined });

    const env = settingsEnvironment(process.cwd(), process.env);
    if (typeof args.flags.simulate === "string") env[settingNames.simulate] = args.flags.simulate;
    if (args.flags["dry-run"]) env[settingNames.dryRun] = "true";
    if (account !== undefined) {
      // One account named on the command line is the whole fleet for this run.
      env[settingNames.accountIds] = account;
      env[settingNames.subscriptionIds] = "";
    }
    const settings = loadSettings(env);
    const output = { print, log, json };

    switch (args.command) {
      case "replay":
        return await runReplay(args.positionals, settings, output);
      case "history":
        return await runHistory(
          settings,
          { ...(account && { accountId: account }), ...(limit && { limit }) },
          output,
        );
      default:
        return await runProbeCommand(settings, output);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      // Usage errors repeat what was typed, which may be a pasted URL with a signature.
      warn(`${redact(error.message)}\n\n${usage}`);
      return 2;
    }
    if (error instanceof SettingsError || error instanceof ScenarioError) {
      warn(error.message);
      return 2;
    }
    // An SDK or storage error can quote a connection string or a header: redact it like a log line.
    warn(`error: ${redact(error instanceof Error ? error.message : String(error))}`);
    return 1;
  }
}

function checkAccountId(account: string): void {
  try {
    parseAccountId(account);
  } catch {
    throw new UsageError(
      `--account: expected a Batch account resource id ` +
        `(/subscriptions/<guid>/resourceGroups/<group>/providers/Microsoft.Batch/batchAccounts/<name>), ` +
        `found '${account.slice(0, 200)}'`,
    );
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
