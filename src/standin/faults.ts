/**
 * Fault injection: rules that answer matching requests with an error status, a connection reset
 * or silence until the caller gives up, plus added latency per operation or for everything.
 */

export interface FaultMatch {
  /** Operation name(s), e.g. `batch.update` or `["keys.get", "keys.versions"]`. */
  readonly operation?: string | readonly string[];
  /** HTTP method, any case. */
  readonly method?: string;
  /** Tested against the request path (no query). */
  readonly path?: RegExp;
  /** A host name (any case) or a pattern tested against it. */
  readonly host?: string | RegExp;
}

export type FaultAction =
  | {
      /** Answer this status with the service's error body. */
      readonly status: number;
      /** Seconds, sent as `Retry-After`. */
      readonly retryAfter?: number;
      /** Milliseconds, sent as `retry-after-ms` (Azure's finer variant). */
      readonly retryAfterMs?: number;
      /** Error code in the body; a plausible one for the status by default. */
      readonly code?: string;
      readonly message?: string;
    }
  /** Throw a `RestError` with code `ECONNRESET`, as a dropped connection does. */
  | { readonly reset: true }
  /** Never answer; reject with an `AbortError` when the request's signal or timeout fires. */
  | { readonly timeout: true };

export type FaultRule = FaultMatch &
  FaultAction & {
    /** How many matching requests the rule applies to; unlimited by default. */
    readonly times?: number;
  };

/** A live rule: how often it fired, and a way to withdraw it. */
export interface FaultHandle {
  readonly hits: number;
  readonly remaining: number;
  remove(): void;
}

export interface FaultTarget {
  readonly operation: string;
  readonly method: string;
  readonly path: string;
  readonly host: string;
}

interface LiveRule {
  readonly rule: FaultRule;
  hits: number;
  remaining: number;
}

export class Faults {
  private rules: LiveRule[] = [];
  private globalLatencyMs = 0;
  private readonly latencyByOperation = new Map<string, number>();

  /** Adds a rule; earlier rules win when several match. */
  add(rule: FaultRule): FaultHandle {
    if (rule.times !== undefined && (!Number.isInteger(rule.times) || rule.times < 1)) {
      throw new Error(`stand-in: fault times must be a positive integer, found ${rule.times}`);
    }
    const live: LiveRule = { rule, hits: 0, remaining: rule.times ?? Infinity };
    this.rules.push(live);
    return {
      get hits() {
        return live.hits;
      },
      get remaining() {
        return live.remaining;
      },
      remove: () => {
        this.rules = this.rules.filter((r) => r !== live);
      },
    };
  }

  clear(): void {
    this.rules = [];
  }

  /** The action for a request, counting it against the rule's `times`. */
  take(target: FaultTarget): FaultAction | undefined {
    const live = this.rules.find((r) => r.remaining > 0 && matches(r.rule, target));
    if (live === undefined) return undefined;
    live.hits += 1;
    live.remaining -= 1;
    if (live.remaining <= 0) this.rules = this.rules.filter((r) => r !== live);
    return live.rule;
  }

  /** Sets added latency for one operation, or for every request when none is named. */
  setLatency(ms: number, operation?: string): void {
    if (!(ms >= 0)) throw new Error(`stand-in: latency must be 0 or more ms, found ${ms}`);
    if (operation === undefined) this.globalLatencyMs = ms;
    else this.latencyByOperation.set(operation, ms);
  }

  clearLatency(): void {
    this.globalLatencyMs = 0;
    this.latencyByOperation.clear();
  }

  latencyFor(operation: string): number {
    return this.globalLatencyMs + (this.latencyByOperation.get(operation) ?? 0);
  }
}

function matches(rule: FaultMatch, target: FaultTarget): boolean {
  if (rule.operation !== undefined) {
    const operations = typeof rule.operation === "string" ? [rule.operation] : rule.operation;
    if (!operations.includes(target.operation)) return false;
  }
  if (rule.method !== undefined && rule.method.toUpperCase() !== target.method) return false;
  if (rule.path !== undefined && !rule.path.test(target.path)) return false;
  if (typeof rule.host === "string" && rule.host.toLowerCase() !== target.host) return false;
  if (rule.host instanceof RegExp && !rule.host.test(target.host)) return false;
  return true;
}
