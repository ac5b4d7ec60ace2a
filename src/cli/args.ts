/** A small argument parser: a command, positional arguments and known flags, nothing implicit. */

export interface ParsedArgs {
  readonly command: string | undefined;
  readonly positionals: string[];
  readonly flags: Record<string, string | boolean>;
}

export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** `valued` flags take the next argument (or `--flag=value`); the others are switches. */
export function parseArgs(
  argv: readonly string[],
  valued: readonly string[],
  switches: readonly string[],
): ParsedArgs {
  const positionals: string[] = [];
  const flags: Record<string, string | boolean> = {};
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] ?? "";
    if (!arg.startsWith("--")) {
      positionals.push(arg);
      continue;
    }
    const [name = "", inline] = arg.slice(2).split(/=(.*)/s, 2);
    if (valued.includes(name)) {
      const value = inline ?? argv[++index];
      if (value === undefined || value === "") throw new UsageError(`--${name} needs a value`);
      flags[name] = value;
    } else if (switches.includes(name)) {
      if (inline !== undefined) throw new UsageError(`--${name} takes no value`);
      flags[name] = true;
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  const [command, ...rest] = positionals;
  return { command, positionals: rest, flags };
}
