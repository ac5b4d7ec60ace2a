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

/** A logger over any printer (the Functions `InvocationContext`, the console, a test array). */
export function createLogger(print: Record<keyof Logger, (line: string) => void>): Logger {
  const at =
    (level: keyof Logger) =>
    (message: string, fields?: LogFields): void =>
      print[level](`${redact(message)}${formatFields(fields)}`);
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
