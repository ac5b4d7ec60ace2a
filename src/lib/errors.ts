/** One small error family, and the classification of Azure failures into what to do about them. */
import { redact } from "./log";

/** How a failed Azure call should be treated. */
export type FailureKind =
  /** The thing is not there (404). */
  | "not-found"
  /** Our own identity may not see or do it (401/403). */
  | "forbidden"
  /** Worth retrying: throttled, server error, network error, timeout. */
  | "transient"
  /** A conflicting change (409/412). */
  | "conflict"
  /** The request was wrong; retrying will not help. */
  | "permanent";

export interface Failure {
  readonly kind: FailureKind;
  readonly statusCode: number | undefined;
  readonly code: string | undefined;
  /** A short description safe to log: status, service code and the message's first line. */
  readonly summary: string;
}

const transientNetworkCodes = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ETIMEDOUT",
  "EPIPE",
  "ENOTFOUND",
  "EAI_AGAIN",
  "ENETUNREACH",
  "EHOSTUNREACH",
  "REQUEST_SEND_ERROR",
  "ESOCKETTIMEDOUT",
]);

/** Classifies anything thrown by an Azure SDK call (a `RestError`, an abort, a network error). */
export function classifyError(error: unknown): Failure {
  const record = (typeof error === "object" && error !== null ? error : {}) as Record<
    string,
    unknown
  >;
  const statusCode = typeof record.statusCode === "number" ? record.statusCode : undefined;
  const code = typeof record.code === "string" ? record.code : undefined;
  const name = typeof record.name === "string" ? record.name : "Error";
  const message = typeof record.message === "string" ? record.message : String(error);
  // Service messages can quote request headers or connection strings: never carry them on.
  const summary = redact(
    [statusCode, code ?? name, firstLine(message)].filter((part) => part !== undefined).join(" "),
  );

  const kind = ((): FailureKind => {
    if (statusCode === 404) return "not-found";
    if (statusCode === 401 || statusCode === 403) return "forbidden";
    if (statusCode === 409 || statusCode === 412) return "conflict";
    if (statusCode === 408 || statusCode === 429 || (statusCode !== undefined && statusCode >= 500))
      return "transient";
    if (statusCode !== undefined) return "permanent";
    if (
      name === "AbortError" ||
      name === "TimeoutError" ||
      (code !== undefined && transientNetworkCodes.has(code))
    ) {
      return "transient";
    }
    // No status at all: the request never got an answer.
    return "transient";
  })();
  return { kind, statusCode, code, summary };
}

function firstLine(message: string): string {
  const line = message.split("\n")[0] ?? "";
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

/** Raised when a change cannot be recorded; the change is then not made. */
export class LedgerUnavailableError extends Error {
  override readonly name = "LedgerUnavailableError";
}
