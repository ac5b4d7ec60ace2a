/**
 * The product's logger port. Messages are plain text; fields are identifiers only. `redact` runs on
 * every message and field value so that a token or connection string that slipped into an error
 * message never reaches a log line.
 */

export type LogFields = Readonly<Record<string, string | number | boolean | undefined>>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

const secretPatterns: ReadonlyArray<[RegExp, string]> = [
  [/\bBearer\s+[A-Za-z0-9._~+/-]+=*/gi, "Bearer [redacted]"],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g, "[redacted-jwt]"],
  [
    /\b(AccountKey|SharedAccessKey|SharedAccessSignature|InstrumentationKey|sig|Signature)=[^;&\s"']+/gi,
    "$1=[redacted]",
  ],
  [/\b(access_token|refresh_token|client_secret)["'=:\s]+[^&\s"',}]+/gi, "$1=[redacted]"],
  // JSON Web Key members that hold key material (modulus, private parts, symmetric key).
  [/(\\?)"(n|d|p|q|dp|dq|qi|k)\\?"\s*:\s*\\?"[A-Za-z0-9_\-+/=]{16,}/g, '$1"$2":"[redacted]'],
];

/** Removes anything that looks like a credential from a string. */
export function redact(text: string): string {
  return secretPatterns.reduce(
    (current, [pattern, replacement]) => current.replace(pattern, replacement),
    text,
  );
}

/** Formats fields as ` key=value` pairs after the message, each value redacted. */
export function formatFields(fields: LogFields | undefined): string {
  if (!fields) return "";
  return Object.entries(fields)
    .filter(([, value]) => value !== undefined)
    .map(([key, value]) => ` ${key}=${redact(String(value))}`)
    .join("");
}

/** Where a product output line came from: a log line, an alert payload, the command line's text. */
export type OutputChannel = "log" | "alert" | "cli";
export type OutputTap = (channel: OutputChannel, text: string) => void;

// Kept on `globalThis` so that a module registry reset (tests re-importing the Functions entry)
// still reaches the one tap.
const tapSlot = Symbol.for("batch-cmk-guard.outputTap");
type TapHolder = { [tapSlot]?: OutputTap };

/**
 * Installs (or, with `undefined`, removes) the one process-wide observer of product output. Every
 * formatted log line passes `tapOutput` in `createLogger`, every external alert payload in
 * `alertPayload`, and every line the command line writes; the test suite scans them for secrets.
 * Nothing is tapped when none is installed. Returns the tap it replaced.
 */
export function setOutputTap(tap: OutputTap | undefined): OutputTap | undefined {
  const previous = (globalThis as TapHolder)[tapSlot];
  (globalThis as TapHolder)[tapSlot] = tap;
  return previous;
}

/** Hands one finished line of output to the installed tap, if any. */
export function tapOutput(channel: OutputChannel, text: string): void {
  (globalThis as TapHolder)[tapSlot]?.(channel, text);
}

/** A logger over any printer (the Functions `InvocationContext`, the console, a test array). */
export function createLogger(print: Record<keyof Logger, (line: string) => void>): Logger {
  const at =
    (level: keyof Logger) =>
    (message: string, fields?: LogFields): void => {
      const line = `${redact(message)}${formatFields(fields)}`;
      tapOutput("log", line);
      print[level](line);
    };
  return { debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** A logger that keeps its lines, for tests and for the operator command line's JSON output. */
export function createMemoryLogger(): Logger & {
  readonly lines: Array<{ level: keyof Logger; line: string }>;
} {
  const lines: Array<{ level: keyof Logger; line: string }> = [];
  const keep = (level: keyof Logger) => (line: string) => lines.push({ level, line });
  return Object.assign(
    createLogger({
      debug: keep("debug"),
      info: keep("info"),
      warn: keep("warn"),
      error: keep("error"),
    }),
    { lines },
  );
}
