import { describe, expect, it } from "vitest";
import type { Settings } from "../src/lib/config";
import type { KeyEvent, KeyEventType } from "../src/lib/events";
import { createKeyedLock } from "../src/lib/keyedLock";
import { createMemoryLogger } from "../src/lib/log";
import type { BatchAccount, KeyVersion } from "../src/lib/model";
import { type RotationDeps, handleKeyEvent } from "../src/lib/rotation";
import { account, fakeBatch, fakeKeyVault, memoryLedger } from "./support/fakes";
import { keyId, keyVersion, kid, v, vaultId } from "./support/keys";

const now = new Date("2026-12-04T12:00:00Z");

function event(type: KeyEventType, version: number, id = `evt-${type}-${version}`): KeyEvent {
  return {
    kind: "key",
    id,
    type,
    key: keyId(v(version)),
    vaultId,
    vaultName: "contoso-cmk",
    subject: "batch-cmk",
    eventTime: now,
    notBefore: undefined,
    expiresOn: undefined,
  };
}

const settings: RotationDeps["settings"] = {
  cloud: "public",
  dryRun: false,
  nearExpiryAction: "rotate",
  maxConcurrency: 4,
};

function setup(
  accounts: BatchAccount[],
  versions: KeyVersion[],
  overrides: {
    settings?: Partial<Settings>;
    failPatch?: Record<string, unknown>;
    keyVaultFailure?: unknown;
    ledgerUnavailable?: boolean;
  } = {},
) {
  const batch = fakeBatch(accounts, overrides.failPatch);
  const keyVault = fakeKeyVault(versions, { fail: overrides.keyVaultFailure });
  const { ledger, rows } = memoryLedger({ unavailable: overrides.ledgerUnavailable });
  const log = createMemoryLogger();
  const deps: RotationDeps = {
    ports: { batch: batch.port, keyVault: keyVault.port },
    ledger,
    settings: { ...settings, ...overrides.settings },
    log,
    now: () => now,
    lock: createKeyedLock(),
    discover: async () => {
      const found: BatchAccount[] = [];
      for await (const entry of batch.port.listAccounts("sub")) found.push(entry);
      return { accounts: found, failures: [] };
    },
  };
  return { deps, batch, keyVault, rows, log };
}

const three = [1, 2, 3].map((n) => keyVersion(n));
const serverError = Object.assign(new Error("Internal error"), {
  statusCode: 500,
  code: "InternalServerError",
});

describe("handleKeyEvent", () => {
  it("moves a pinned account to a usable new version and records the change with its previous id", async () => {
    const { deps, batch, rows } = setup([account("pinned", kid(v(2)))], three);

    const result = await handleKeyEvent(event("Microsoft.KeyVault.KeyNewVersionCreated", 3), deps);

    expect(result.outcomes).toEqual([
      {
        accountId: account("pinned", undefined).id,
        decision: "changed",
        reason: "MoveToNewVersion",
        message: "moving to the new version",
        from: kid(v(2)),
        to: kid(v(3)),
        retryable: false,
      },
    ]);
    expect(batch.patches).toEqual([
      { accountId: account("pinned", undefined).id, keyIdentifier: kid(v(3)) },
    ]);
    expect(
      [...rows.values()].map(({ outcome, previousKeyIdentifier, newKeyIdentifier }) => ({
        outcome,
        previousKeyIdentifier,
        newKeyIdentifier,
      })),
    ).toEqual([
      { outcome: "applied", previousKeyIdentifier: kid(v(2)), newKeyIdentifier: kid(v(3)) },
    ]);
    expect(result.retryable).toBe(false);
  });

  it("changes nothing on a redelivery of the same event", async () => {
    const { deps, batch, rows } = setup([account("pinned", kid(v(2)))], three);
    await handleKeyEvent(event("Microsoft.KeyVault.KeyNewVersionCreated", 3), deps);

    const again = await handleKeyEvent(event("Microsoft.KeyVault.KeyNewVersionCreated", 3), deps);

    expect(again.outcomes.map((entry) => entry.reason)).toEqual(["AlreadyOnVersion"]);
    expect(batch.patches).toHaveLength(1);
    expect(rows.size).toBe(1);
  });

  it("leaves versionless accounts and accounts of other keys alone without reading them", async () => {
    const { deps, batch } = setup(
      [
        account("follows", kid()),
        account("other-key", "https://contoso-cmk.vault.azure.net/keys/other/" + v(1)),
        account("platform", undefined),
      ],
      three,
    );

    const result = await handleKeyEvent(event("Microsoft.KeyVault.KeyNewVersionCreated", 3), deps);

    expect(
      result.outcomes.map(({ accountId, reason }) => [accountId.split("/").pop(), reason]),
    ).toEqual([["follows", "VersionlessIdentifier"]]);
    expect(batch.patches).toEqual([]);
  });

  it("asks Key Vault nothing when every affected account is versionless", async () => {
    const { deps, keyVault } = setup([account("follows", kid())], three, {
      keyVaultFailure: serverError,
    });

    const result = await handleKeyEvent(event("Microsoft.KeyVault.KeyNewVersionCreated", 3), deps);

    expect(result.outcomes.map((entry) => entry.reason)).toEqual(["VersionlessIdentifier"]);
    expect(keyVault.calls).toEqual({ get: 0, list: 0, rotate: 0 });
    expect(result.retryable).toBe(false);
  });

  it("keeps going when one account's PATCH fails, and asks for a redelivery when the failure is transient", async () => {
    const { deps, batch } = setup(
      [account("a1", kid(v(2))), account("a2", kid(v(2))), account("a3", kid(v(1)))],
      three,
      {
        failPatch: {
          a2: Object.assign(new Error("Too many requests"), {
            statusCode: 429,
            code: "TooManyRequests",
          }),
        },
      },
    );

    const result = await handleKeyEvent(event("Microsoft.KeyVault.KeyNewVersionCreated", 3), deps);

    expect(result.outcomes.map(({ decision, reason }) => `${decision}:${reason}`)).toEqual([
      "changed:MoveToNewVersion",
      "failed:PatchFailed",
      "changed:MoveToNewVersion",
    ]);
    expect(batch.patches.map((patch) => patch.accountId.split("/").pop())).toEqual(["a1", "a3"]);
    expect(result.retryable).toBe(true);
  });

  it("decides and logs everything in a dry run but changes and records nothing", async () => {
    const { deps, batch, rows, log } = setup([account("pinned", kid(v(2)))], three, {
      settings: { dryRun: true },
    });

    const result = await handleKeyEvent(event("Microsoft.KeyVault.KeyNewVersionCreated", 3), deps);

    expect(result.outcomes.map((entry) => entry.decision)).toEqual(["would-change"]);
    expect(batch.patches).toEqual([]);
    expect(rows.size).toBe(0);
    expect(
      log.lines.some((line) => line.line.startsWith("would-change: moving to the new version")),
    ).toBe(true);
  });

  it("makes no change that the ledger cannot record", async () => {
    const { deps, batch } = setup([account("pinned", kid(v(2)))], three, {
      ledgerUnavailable: true,
    });

    const result = await handleKeyEvent(event("Microsoft.KeyVault.KeyNewVersionCreated", 3), deps);

    expect(result.outcomes.map((entry) => `${entry.decision}:${entry.reason}`)).toEqual([
      "failed:LedgerUnavailable",
    ]);
    expect(batch.patches).toEqual([]);
    expect(result.retryable).toBe(true);
  });

  it("refuses a disabled new version without reading it in full", async () => {
    const versions = [keyVersion(1), keyVersion(2), keyVersion(3, { enabled: false })];
    const { deps, batch, keyVault, log } = setup([account("pinned", kid(v(2)))], versions);

    const result = await handleKeyEvent(event("Microsoft.KeyVault.KeyNewVersionCreated", 3), deps);

    expect(
      result.outcomes.map((entry) => `${entry.decision}:${entry.reason}:${entry.message}`),
    ).toEqual([
      "refused:NewVersionUnusable:new version is unusable for Batch: version is disabled",
    ]);
    expect(keyVault.calls.get).toBe(0);
    expect(batch.patches).toEqual([]);
    expect(log.lines.filter((line) => line.level === "error")).toHaveLength(1);
  });

  it("fails every affected account, retryably, when Key Vault answers 500", async () => {
    const { deps, batch } = setup([account("a1", kid(v(2))), account("a2", kid(v(1)))], three, {
      keyVaultFailure: serverError,
    });

    const result = await handleKeyEvent(event("Microsoft.KeyVault.KeyNewVersionCreated", 3), deps);

    expect(result.outcomes.map((entry) => `${entry.decision}:${entry.reason}`)).toEqual([
      "failed:KeyVaultUnavailable",
      "failed:KeyVaultUnavailable",
    ]);
    expect(batch.patches).toEqual([]);
    expect(result.retryable).toBe(true);
  });

  it("reads the key once however many accounts use it", async () => {
    const accounts = Array.from({ length: 50 }, (_, index) => account(`acct${index}`, kid(v(2))));
    const { deps, keyVault, batch } = setup(accounts, three);

    await handleKeyEvent(event("Microsoft.KeyVault.KeyNewVersionCreated", 3), deps);

    expect(keyVault.calls).toEqual({ get: 1, list: 1, rotate: 0 });
    expect(batch.patches).toHaveLength(50);
  });

  it("never moves backwards when two events for the same key are handled at once", async () => {
    const versions = [1, 2, 3, 4].map((n) => keyVersion(n));
    const { deps, batch } = setup([account("pinned", kid(v(1)))], versions);

    await Promise.all([
      handleKeyEvent(event("Microsoft.KeyVault.KeyNewVersionCreated", 4), deps),
      handleKeyEvent(event("Microsoft.KeyVault.KeyNewVersionCreated", 3), deps),
    ]);

    const final = await batch.port.getAccount(account("pinned", undefined).id);
    expect(final.keyIdentifier).toBe(kid(v(4)));
    expect(batch.patches.map((patch) => patch.keyIdentifier)).toEqual([kid(v(4))]);
  });

  it("rotates a key near expiry once and moves pinned accounts to the new version at once", async () => {
    const { deps, batch, keyVault } = setup(
      [account("a1", kid(v(3))), account("a2", kid(v(3)))],
      three,
    );

    const result = await handleKeyEvent(event("Microsoft.KeyVault.KeyNearExpiry", 3), deps);

    expect(keyVault.calls.rotate).toBe(1);
    const rotatedKid = kid((91).toString(16).padStart(32, "0"));
    expect(result.outcomes.map((entry) => [entry.decision, entry.to])).toEqual([
      ["changed", rotatedKid],
      ["changed", rotatedKid],
    ]);
    expect(batch.patches).toHaveLength(2);
  });

  it("only reports a key near expiry when the near-expiry action is alert", async () => {
    const { deps, batch, keyVault } = setup([account("a1", kid(v(3)))], three, {
      settings: { nearExpiryAction: "alert" },
    });

    const result = await handleKeyEvent(event("Microsoft.KeyVault.KeyNearExpiry", 3), deps);

    expect(result.outcomes.map((entry) => `${entry.decision}:${entry.reason}`)).toEqual([
      "refused:NearExpiryAlertOnly",
    ]);
    expect(keyVault.calls.rotate).toBe(0);
    expect(batch.patches).toEqual([]);
  });

  it("refuses a new-version event for a version Key Vault does not list, saying so", async () => {
    const { deps, batch } = setup([account("pinned", kid(v(2)))], three);

    const result = await handleKeyEvent(event("Microsoft.KeyVault.KeyNewVersionCreated", 4), deps);

    expect(
      result.outcomes.map(({ decision, reason, message }) => ({ decision, reason, message })),
    ).toEqual([
      {
        decision: "refused",
        reason: "NewVersionUnusable",
        message: "new version is unusable for Batch: version not found in the key's versions",
      },
    ]);
    expect(batch.patches).toEqual([]);
  });

  it.each([
    ["has no expiry", { expiresOn: undefined }],
    ["expires after now", { expiresOn: new Date("2027-01-02T00:00:00Z") }],
  ])(
    "trusts Key Vault over a KeyExpired event for a version that %s and changes nothing",
    async (_what, attributes) => {
      const versions = [keyVersion(1), keyVersion(2, attributes), keyVersion(3)];
      const { deps, batch, rows } = setup([account("a1", kid(v(2)))], versions);

      const result = await handleKeyEvent(event("Microsoft.KeyVault.KeyExpired", 2), deps);

      expect(
        result.outcomes.map(({ decision, reason, message }) => ({ decision, reason, message })),
      ).toEqual([
        {
          decision: "unchanged",
          reason: "VersionNotExpired",
          message: "Key Vault reports the version is not expired; nothing to do",
        },
      ]);
      expect(batch.patches).toEqual([]);
      expect(rows.size).toBe(0);
    },
  );

  it("moves an account off an expired version to the newest usable one", async () => {
    const versions = [
      keyVersion(1),
      keyVersion(2, { expiresOn: new Date("2026-12-01T00:00:00Z") }),
      keyVersion(3, { enabled: false }),
    ];
    const { deps, batch } = setup([account("a1", kid(v(2)))], versions);

    const result = await handleKeyEvent(event("Microsoft.KeyVault.KeyExpired", 2), deps);

    expect(result.outcomes.map((entry) => [entry.decision, entry.to])).toEqual([
      ["changed", kid(v(1))],
    ]);
    expect(batch.patches).toHaveLength(1);
  });

  it("finds a usable version behind many that the list already shows expired", async () => {
    const past = new Date("2026-11-01T00:00:00Z");
    const versions = [
      keyVersion(1),
      ...[2, 3, 4, 5, 6, 7].map((n) => keyVersion(n, { expiresOn: past })),
    ];
    const { deps, batch, keyVault } = setup([account("a1", kid(v(7)))], versions);

    const result = await handleKeyEvent(event("Microsoft.KeyVault.KeyExpired", 7), deps);

    expect(result.outcomes.map((entry) => [entry.decision, entry.to])).toEqual([
      ["changed", kid(v(1))],
    ]);
    expect(batch.patches).toHaveLength(1);
    // Only the one candidate the listed dates leave is read in full.
    expect(keyVault.calls.get).toBe(1);
  });

  it("says an account has no usable key when its expired version has no successor", async () => {
    const versions = [
      keyVersion(1, { enabled: false }),
      keyVersion(2, { expiresOn: new Date("2026-12-01T00:00:00Z") }),
    ];
    const { deps, batch, log } = setup([account("a1", kid(v(2)))], versions);

    const result = await handleKeyEvent(event("Microsoft.KeyVault.KeyExpired", 2), deps);

    expect(result.outcomes.map((entry) => `${entry.decision}:${entry.reason}`)).toEqual([
      "refused:NoUsableVersion",
    ]);
    expect(batch.patches).toEqual([]);
    expect(log.lines.find((line) => line.level === "error")?.line).toContain(
      "account is on an expired key version",
    );
  });
});
