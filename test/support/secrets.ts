/**
 * Finds text that looks like a credential or key material in product output: bearer tokens, JWTs,
 * storage and Application Insights connection strings, account keys, SAS signatures, JWK key
 * members and the stand-in's fake token. A redacted value (`AccountKey=[redacted]`) is not a find.
 */
import { fakeToken } from "../../src/standin/credential";

export interface SecretFinding {
  /** Which pattern matched, e.g. `bearer token`. */
  readonly kind: string;
  /** The match, cut short so that a report does not spread the secret further. */
  readonly excerpt: string;
}

/** A value that is present and not the redaction marker. */
const value = (chars: string, min: number) => `(?!\\[redacted\\])${chars}{${min},}`;
const base64 = "[A-Za-z0-9+/%]";
const base64url = "[A-Za-z0-9_-]";

const patterns: ReadonlyArray<readonly [string, RegExp]> = [
  ["stand-in fake token", new RegExp(escape(fakeToken), "i")],
  ["bearer token", new RegExp(`\\bBearer\\s+${value("[A-Za-z0-9._~+/-]", 8)}`, "i")],
  ["JWT", /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/],
  [
    "storage connection string",
    /DefaultEndpointsProtocol=[^\s"']*AccountKey=(?!\[redacted\])[^;\s"']{8,}/i,
  ],
  ["account key", new RegExp(`\\b(?:AccountKey|SharedAccessKey)\\s*=\\s*${value(base64, 8)}`, "i")],
  ["SAS signature", new RegExp(`[?&;\\s"']sig=${value(base64, 10)}`, "i")],
  // The `SharedAccessSignature sr=...&sig=...` header form is found by its `sig=`.
  [
    "shared access signature",
    new RegExp(`\\bSharedAccessSignature\\s*=\\s*${value("[^;\\s\"']", 8)}`, "i"),
  ],
  [
    "Application Insights connection string",
    new RegExp(`\\bInstrumentationKey\\s*=\\s*${value("[0-9a-f-]", 8)}`, "i"),
  ],
  [
    "JWK key material",
    new RegExp(`\\\\?"(?:n|d|p|q|dp|dq|qi|k)\\\\?"\\s*:\\s*\\\\?"${base64url}{32,}`),
  ],
  ["client secret", new RegExp(`\\bclient_secret["'=:\\s]+${value("[^&\\s\"',}]", 8)}`, "i")],
];

/** Every secret-looking piece of `text`, one finding per pattern that matched. */
export function findSecrets(text: string): SecretFinding[] {
  const findings: SecretFinding[] = [];
  for (const [kind, pattern] of patterns) {
    const match = pattern.exec(text);
    if (match) findings.push({ kind, excerpt: `${match[0].slice(0, 24)}...` });
  }
  return findings;
}

/** A one-line description per finding, naming where the text came from. */
export function describeFindings(
  items: ReadonlyArray<{ readonly source: string; readonly text: string }>,
): string[] {
  return items.flatMap(({ source, text }) =>
    findSecrets(text).map((finding) => `${source}: ${finding.kind} (${finding.excerpt})`),
  );
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
