/** The record of every request the stand-in saw, with counters per operation. */

export interface RecordedRequest {
  readonly method: string;
  /** Lower case, without `:443`. */
  readonly host: string;
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  /** E.g. `batch.get`, `keys.versions`, `keyvault.challenge`; `untrusted` for foreign hosts. */
  readonly operation: string;
  /** Whether an `Authorization` header was present (its value is never kept). */
  readonly authorized: boolean;
  /** The status answered; undefined when the stand-in threw instead (reset, timeout, untrusted). */
  readonly status: number | undefined;
  /** The injected fault, when one applied. */
  readonly fault: "status" | "reset" | "timeout" | undefined;
}

export class RequestLog {
  readonly requests: RecordedRequest[] = [];
  readonly untrustedRequests: RecordedRequest[] = [];
  private readonly counters = new Map<string, number>();

  constructor(private readonly keepRequests: boolean) {}

  record(entry: RecordedRequest): void {
    this.counters.set(entry.operation, (this.counters.get(entry.operation) ?? 0) + 1);
    if (entry.operation === "untrusted") this.untrustedRequests.push(entry);
    if (this.keepRequests) this.requests.push(entry);
  }

  count(operation: string): number {
    return this.counters.get(operation) ?? 0;
  }

  counts(): Record<string, number> {
    return Object.fromEntries(this.counters);
  }

  reset(): void {
    this.requests.length = 0;
    this.untrustedRequests.length = 0;
    this.counters.clear();
  }
}
