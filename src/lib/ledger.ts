/**
 * The change ledger: every change the product makes to an account, recorded before the change is
 * made and completed after it, so that nothing changes unrecorded and every change can be undone
 * from its `previousKeyIdentifier`.
 */

export type LedgerOutcome =
  /** Claimed: the change is being made now (or the process died while making it). */
  "pending" | "applied" | "failed";

export interface LedgerEntry {
  readonly accountId: string;
  readonly previousKeyIdentifier: string | undefined;
  readonly newKeyIdentifier: string;
  readonly eventId: string;
  readonly eventType: string;
  /** When the change was claimed, then when it completed. */
  readonly changedOn: Date;
  readonly outcome: LedgerOutcome;
  /** Why it failed, when it did: status and service code only. */
  readonly detail?: string | undefined;
}

/** What `claim` found. */
export type Claim =
  /** The change is ours to make; complete it with `complete(claim.token, ...)`. */
  | { readonly status: "claimed"; readonly token: ClaimToken }
  /** The same change was already made and recorded. */
  | { readonly status: "already-applied"; readonly entry: LedgerEntry }
  /** Another invocation holds a recent claim on the same change. */
  | { readonly status: "in-progress"; readonly entry: LedgerEntry };

export interface ClaimToken {
  readonly entry: LedgerEntry;
  readonly etag: string;
}

export interface Ledger {
  /**
   * Records the intent to make a change, once per (account, new key identifier). An applied change
   * claimed again by a different event at least `staleClaimMs` later was undone since: the earlier
   * record is kept and the change is claimed anew. Throws when the store cannot be reached: a
   * change that cannot be recorded must not be made.
   */
  claim(entry: Omit<LedgerEntry, "outcome" | "changedOn">, now: Date): Promise<Claim>;
  /** Completes a claimed change with its outcome. */
  complete(
    token: ClaimToken,
    outcome: "applied" | "failed",
    now: Date,
    detail?: string,
  ): Promise<LedgerEntry>;
  /**
   * Marks a pending or failed entry applied when the account is seen to carry its new key
   * identifier: a change made whose completion was never recorded (the store failed after the
   * PATCH, or the PATCH landed though its answer was lost). Returns the entry when it changed.
   * Optional: a ledger without it leaves such entries as they are.
   */
  settle?(accountId: string, newKeyIdentifier: string, now: Date): Promise<LedgerEntry | undefined>;
  /** Entries, newest first. */
  list(filter?: { accountId?: string; limit?: number }): Promise<LedgerEntry[]>;
}

/** A claim older than this is taken to belong to an invocation that died. */
export const staleClaimMs = 5 * 60_000;
