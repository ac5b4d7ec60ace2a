/** Small fakes of our ports, for unit tests: plain objects that record what was asked of them. */
import type { BatchPort, KeyVaultPort } from "../../src/lib/azure/ports";
import type { Claim, Ledger, LedgerEntry } from "../../src/lib/ledger";
import { staleClaimMs } from "../../src/lib/ledger";
import type { BatchAccount, KeyVersion } from "../../src/lib/model";
import { kid, vaultUrl } from "./keys";

export const subscriptionId = "00000000-0000-0000-0000-000000000001";

export function accountId(name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/batch-rg/providers/Microsoft.Batch/batchAccounts/${name}`;
}

export function account(
  name: string,
  keyIdentifier: string | undefined,
  overrides: Partial<BatchAccount> = {},
): BatchAccount {
  return {
    id: accountId(name),
    name,
    subscriptionId,
    keySource: keyIdentifier === undefined ? "Microsoft.Batch" : "Microsoft.KeyVault",
    keyIdentifier,
    identity: { type: "SystemAssigned", principalId: `principal-${name}`, userAssigned: [] },
    provisioningState: "Succeeded",
    ...overrides,
  };
}

/** A Batch port over a map of accounts; `failPatch` makes chosen accounts' PATCH throw. */
export function fakeBatch(accounts: BatchAccount[], failPatch: Record<string, unknown> = {}) {
  const store = new Map(accounts.map((entry) => [entry.id.toLowerCase(), entry]));
  const patches: Array<{ accountId: string; keyIdentifier: string }> = [];
  const port: BatchPort = {
    async *listAccounts() {
      yield* store.values();
    },
    async getAccount(id) {
      const found = store.get(id.toLowerCase());
      if (!found)
        throw Object.assign(new Error("not found"), { statusCode: 404, code: "ResourceNotFound" });
      return found;
    },
    async setKeyIdentifier(id, keyIdentifier) {
      const failure = failPatch[accountNameOf(id)];
      if (failure !== undefined) throw failure;
      patches.push({ accountId: id, keyIdentifier });
      const updated = {
        ...(await port.getAccount(id)),
        keyIdentifier,
        keySource: "Microsoft.KeyVault",
      };
      store.set(id.toLowerCase(), updated);
      return updated;
    },
  };
  return { port, patches, store };
}

function accountNameOf(id: string): string {
  return id.split("/").pop() ?? id;
}

/** A Key Vault port over a list of versions of one key. */
export function fakeKeyVault(
  versions: KeyVersion[],
  options: { fail?: unknown; rotatedNumber?: number } = {},
) {
  const calls = { get: 0, list: 0, rotate: 0 };
  let current = [...versions];
  const port: KeyVaultPort = {
    async getKeyVersion(_vault, _name, version) {
      calls.get++;
      if (options.fail) throw options.fail;
      const found = current.find((entry) => entry.version === version);
      if (!found)
        throw Object.assign(new Error("KeyNotFound"), { statusCode: 404, code: "KeyNotFound" });
      return found;
    },
    async listKeyVersions() {
      calls.list++;
      if (options.fail) throw options.fail;
      return current.map(
        ({ kid: id, name, version, enabled, createdOn, notBefore, expiresOn }) => ({
          kid: id,
          name,
          version,
          enabled,
          createdOn,
          notBefore,
          expiresOn,
        }),
      );
    },
    async rotateKey() {
      calls.rotate++;
      const n = (options.rotatedNumber ?? 90) + calls.rotate;
      const newest = current.at(-1);
      const rotated: KeyVersion = {
        ...(newest as KeyVersion),
        kid: kid(n.toString(16).padStart(32, "0")),
        version: n.toString(16).padStart(32, "0"),
        createdOn: new Date(Date.UTC(2026, 11, 1) + calls.rotate * 1000),
        expiresOn: new Date(Date.UTC(2027, 11, 1)),
      };
      current = [...current, rotated];
      return rotated;
    },
    async getDeletedKey() {
      return undefined;
    },
  };
  return { port, calls, vaultUrl };
}

/** The ledger's contract over a map, including claims and their staleness. */
export function memoryLedger(options: { unavailable?: boolean } = {}) {
  const rows = new Map<string, LedgerEntry & { etag: number }>();
  let etags = 0;
  const key = (accountIdValue: string, to: string) =>
    `${accountIdValue.toLowerCase()}|${to.toLowerCase()}`;
  const ledger: Ledger = {
    async claim(intent, now): Promise<Claim> {
      if (options.unavailable) throw new Error("storage unreachable");
      const id = key(intent.accountId, intent.newKeyIdentifier);
      const existing = rows.get(id);
      if (existing?.outcome === "applied") {
        const undoneSince =
          existing.eventId !== intent.eventId &&
          now.getTime() - existing.changedOn.getTime() >= staleClaimMs;
        if (!undoneSince) return { status: "already-applied", entry: existing };
        rows.set(`${id}@${existing.changedOn.toISOString()}`, existing);
      }
      if (
        existing?.outcome === "pending" &&
        now.getTime() - existing.changedOn.getTime() < staleClaimMs
      ) {
        return { status: "in-progress", entry: existing };
      }
      const entry = { ...intent, changedOn: now, outcome: "pending" as const, etag: ++etags };
      rows.set(id, entry);
      return { status: "claimed", token: { entry, etag: String(entry.etag) } };
    },
    async complete(token, outcome, now, detail) {
      const id = key(token.entry.accountId, token.entry.newKeyIdentifier);
      const entry = { ...token.entry, changedOn: now, outcome, detail, etag: ++etags };
      rows.set(id, entry);
      return entry;
    },
    async list(filter = {}) {
      return [...rows.values()]
        .filter(
          (entry) =>
            filter.accountId === undefined ||
            entry.accountId.toLowerCase() === filter.accountId.toLowerCase(),
        )
        .sort((a, b) => b.changedOn.getTime() - a.changedOn.getTime());
    },
  };
  return { ledger, rows };
}
