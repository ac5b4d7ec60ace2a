import { describe, expect, it } from "vitest";
import type { AlertTarget, CheckObservation } from "../src/lib/alerts";
import type { AzurePorts } from "../src/lib/azure/ports";
import { probeReasons } from "../src/lib/checks";
import { createMemoryLogger } from "../src/lib/log";
import type {
  BatchAccount,
  KeyVersion,
  KeyVersionProperties,
  RoleGrants,
  Vault,
} from "../src/lib/model";
import { type ProbeInput, type ProbeSettings, probeAccounts } from "../src/lib/probe";
import { subscriptionId } from "./support/fakes";
import {
  kid as versionKid,
  keyVersion as usableVersion,
  v,
  vaultId,
  vaultUrl,
} from "./support/keys";

const now = new Date("2026-03-01T12:00:00.000Z");
const otherSubscriptionId = "00000000-0000-0000-0000-000000000002";
const kid = (n: number): string => versionKid(v(n));

const settings: ProbeSettings = {
  cloud: "public",
  subscriptionIds: [],
  expiryWarningDays: 30,
  maxConcurrency: 8,
  reconcile: false,
};

/** A usable version on day `n` of 2026 that permits only the wrap operations. */
function keyVersion(n: number, overrides: Partial<KeyVersion> = {}): KeyVersion {
  return usableVersion(n, { keyOps: ["wrapKey", "unwrapKey"], ...overrides });
}

function properties(version: KeyVersion): KeyVersionProperties {
  const { kid, name, version: id, enabled, createdOn, notBefore, expiresOn } = version;
  return { kid, name, version: id, enabled, createdOn, notBefore, expiresOn };
}

function vault(overrides: Partial<Vault> = {}): Vault {
  return {
    id: vaultId,
    name: "contoso-cmk",
    vaultUrl,
    enableSoftDelete: true,
    enablePurgeProtection: true,
    enableRbacAuthorization: true,
    accessPolicies: [],
    ...overrides,
  };
}

function account(name: string, keyIdentifier: string, overrides: Partial<BatchAccount> = {}) {
  const principal = `principal-${name}`;
  return {
    id: `/subscriptions/${subscriptionId}/resourceGroups/batch-rg/providers/Microsoft.Batch/batchAccounts/${name}`,
    name,
    subscriptionId,
    keySource: "Microsoft.KeyVault",
    keyIdentifier,
    identity: { type: "SystemAssigned", principalId: principal, userAssigned: [] },
    provisioningState: "Succeeded",
    ...overrides,
  } satisfies BatchAccount;
}

function restError(statusCode: number | undefined, code: string): Error {
  return Object.assign(new Error(`${code} from the service`), {
    name: "RestError",
    statusCode,
    code,
  });
}

const allKeyActions: RoleGrants = {
  roles: [{ dataActions: ["Microsoft.KeyVault/vaults/keys/*"], notDataActions: [] }],
};

interface Scenario {
  versions?: KeyVersion[];
  /** Answers by version (or "current") that replace a version's GET. */
  getFailures?: Record<string, Error>;
  listFailure?: Error;
  deleted?: { recoveryId: string; scheduledPurgeDate: Date } | Error;
  vaults?: Record<string, Vault[]>;
  grants?: (principalId: string) => RoleGrants | Error;
}

/** Plain object ports over a scenario, counting every call. */
function fakePorts(scenario: Scenario) {
  const versions = scenario.versions ?? [keyVersion(1)];
  const calls = {
    getKeyVersion: [] as string[],
    listKeyVersions: 0,
    getDeletedKey: 0,
    listVaults: [] as string[],
    grantsFor: [] as string[],
  };
  const ports: Pick<AzurePorts, "keyVault" | "vaults" | "roles"> = {
    keyVault: {
      async getKeyVersion(_vaultUrl, _name, version) {
        calls.getKeyVersion.push(version ?? "current");
        const failure = scenario.getFailures?.[version ?? "current"];
        if (failure) throw failure;
        const found =
          version === undefined
            ? versions[versions.length - 1]
            : versions.find((entry) => entry.version === version);
        if (!found) throw restError(404, "KeyNotFound");
        return found;
      },
      async listKeyVersions() {
        calls.listKeyVersions++;
        if (scenario.listFailure) throw scenario.listFailure;
        return versions.map(properties);
      },
      async rotateKey() {
        throw new Error("the probe never rotates");
      },
      async getDeletedKey() {
        calls.getDeletedKey++;
        if (scenario.deleted instanceof Error) throw scenario.deleted;
        return scenario.deleted;
      },
    },
    vaults: {
      async *listVaults(id) {
        calls.listVaults.push(id);
        yield* scenario.vaults
          ? (scenario.vaults[id] ?? [])
          : id === subscriptionId
            ? [vault()]
            : [];
      },
      async getVault() {
        throw new Error("the probe lists vaults instead");
      },
    },
    roles: {
      async grantsFor(scope, principalId) {
        calls.grantsFor.push(`${scope} ${principalId}`);
        const grants = scenario.grants?.(principalId) ?? allKeyActions;
        if (grants instanceof Error) throw grants;
        return grants;
      },
    },
  };
  return { ports, calls };
}

function fakeAlerts() {
  const observed: Array<{ target: AlertTarget; observations: readonly CheckObservation[] }> = [];
  return {
    observed,
    alerts: {
      async observe(target: AlertTarget, observations: readonly CheckObservation[]) {
        observed.push({ target, observations });
        return [];
      },
    },
  };
}

function input(
  accounts: BatchAccount[],
  ports: ProbeInput["ports"],
  overrides: Partial<ProbeInput> = {},
): ProbeInput {
  return { accounts, ports, settings, now, log: createMemoryLogger(), ...overrides };
}

const couldNotSee = (message: string) => ({
  check: "ProbeCouldNotSee",
  severity: "unknown",
  message,
  remedy:
    "Check the guard's own access to the key, vault and role assignments, and that Key Vault and ARM are reachable.",
});

describe("the probe", () => {
  it("reads each key version, vault list and principal's grants once for 1,000 accounts", async () => {
    const { ports, calls } = fakePorts({ versions: [keyVersion(1), keyVersion(2), keyVersion(3)] });
    const accounts = Array.from({ length: 1000 }, (_, index) =>
      account(`batch${index}`, kid((index % 3) + 1), {
        identity: {
          type: "SystemAssigned",
          principalId: `principal-${index % 10}`,
          userAssigned: [],
        },
      }),
    );

    const report = await probeAccounts(input(accounts, ports));

    expect(calls.getKeyVersion.sort()).toEqual([v(1), v(2), v(3)]);
    expect(calls.listVaults).toEqual([subscriptionId]);
    expect(calls.grantsFor).toHaveLength(10);
    expect(new Set(calls.grantsFor).size).toBe(10);
    expect(report.calls).toEqual({
      getKeyVersion: 3,
      listKeyVersions: 1,
      getDeletedKey: 0,
      listVaults: 1,
      grantsFor: 10,
    });
    const statuses = report.results.reduce<Record<string, number>>((counts, result) => {
      counts[result.status] = (counts[result.status] ?? 0) + 1;
      return counts;
    }, {});
    // Accounts on versions 1 and 2 are stale: version 3 is newer and usable.
    expect(statuses).toEqual({ warning: 667, healthy: 333 });
  });

  it("asks for role grants at the key's scope", async () => {
    const { ports, calls } = fakePorts({});
    await probeAccounts(input([account("contosobatch", kid(1))], ports));
    expect(calls.grantsFor).toEqual([`${vaultId}/keys/batch-cmk principal-contosobatch`]);
  });

  it("calls an account unknown, never healthy or critical, when Key Vault answers 500", async () => {
    const { ports } = fakePorts({ getFailures: { [v(1)]: restError(500, "InternalServerError") } });
    const { alerts, observed } = fakeAlerts();
    const report = await probeAccounts(input([account("contosobatch", kid(1))], ports, { alerts }));

    expect(report.results).toEqual([
      {
        accountId: account("contosobatch", kid(1)).id,
        keyIdentifier: kid(1),
        findings: [
          couldNotSee(
            "could not see key: 500 InternalServerError InternalServerError from the service",
          ),
        ],
        status: "unknown",
        newestUsableKid: undefined,
      },
    ]);
    const kinds = Object.fromEntries(
      observed[0]?.observations.map(({ check, observation }) => [check, observation.kind]) ?? [],
    );
    expect(kinds).toEqual({
      KeyIdentifierInvalid: "passing",
      KeyNotFound: "unknown",
      KeySoftDeleted: "unknown",
      KeyVersionDisabled: "unknown",
      KeyVersionExpired: "unknown",
      KeyVersionNotYetValid: "unknown",
      KeyOperationsMissing: "unknown",
      KeyTypeUnsupported: "unknown",
      IdentityMissing: "passing",
      IdentityLacksKeyPermissions: "passing",
      AccountProvisioningFailed: "passing",
      KeyVersionExpiringSoon: "unknown",
      VaultSoftDeleteOff: "passing",
      VaultPurgeProtectionOff: "passing",
      AccountOnStaleVersion: "unknown",
      ProbeCouldNotSee: "failing",
    });
  });

  it.each<[string, Scenario, string[], string]>([
    [
      "a 403 on GET while the version list shows the version disabled",
      {
        versions: [keyVersion(1, { enabled: false })],
        getFailures: { [v(1)]: restError(403, "Forbidden") },
      },
      ["KeyVersionDisabled"],
      "critical",
    ],
    [
      "a 403 on GET and on the version list (our own access)",
      {
        getFailures: { [v(1)]: restError(403, "Forbidden") },
        listFailure: restError(403, "Forbidden"),
      },
      ["ProbeCouldNotSee"],
      "unknown",
    ],
    [
      "a 403 on GET while the version list shows the version enabled",
      { getFailures: { [v(1)]: restError(403, "Forbidden") } },
      ["ProbeCouldNotSee"],
      "unknown",
    ],
    [
      "a 404 for a key sitting soft-deleted",
      {
        getFailures: { [v(1)]: restError(404, "KeyNotFound") },
        deleted: {
          recoveryId: `${vaultUrl}/deletedkeys/batch-cmk`,
          scheduledPurgeDate: new Date("2026-05-30T00:00:00Z"),
        },
      },
      ["KeySoftDeleted"],
      "critical",
    ],
    [
      "a 404 for a key that is gone",
      { getFailures: { [v(1)]: restError(404, "KeyNotFound") } },
      ["KeyNotFound"],
      "critical",
    ],
    [
      "a 404 while the deleted-keys lookup answers 404 itself",
      {
        getFailures: { [v(1)]: restError(404, "KeyNotFound") },
        deleted: restError(404, "KeyNotFound"),
      },
      ["KeyNotFound"],
      "critical",
    ],
    [
      "a connection reset with no status",
      {
        getFailures: { [v(1)]: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }) },
      },
      ["ProbeCouldNotSee"],
      "unknown",
    ],
    [
      "an identity whose role grants cannot be read",
      { grants: () => restError(403, "AuthorizationFailed") },
      ["ProbeCouldNotSee"],
      "unknown",
    ],
    [
      "an identity with read only",
      {
        grants: () => ({
          roles: [{ dataActions: ["Microsoft.KeyVault/vaults/keys/read"], notDataActions: [] }],
        }),
      },
      ["IdentityLacksKeyPermissions"],
      "critical",
    ],
  ])("reads %s as its findings", async (_, scenario, checks, status) => {
    const { ports } = fakePorts(scenario);
    const report = await probeAccounts(input([account("contosobatch", kid(1))], ports));
    expect(report.results.map((result) => result.findings.map((finding) => finding.check))).toEqual(
      [checks],
    );
    expect(report.results[0]?.status).toBe(status);
  });

  it("treats a key identifier that does not parse as a finding and probes the other accounts", async () => {
    const { ports, calls } = fakePorts({});
    const bad = account("badkey", "https://contoso-cmk.vault.azure.net/secrets/batch-cmk");
    const report = await probeAccounts(input([bad, account("goodkey", kid(1))], ports));

    expect(report.results.map((result) => [result.accountId, result.status])).toEqual([
      [bad.id, "critical"],
      [account("goodkey", kid(1)).id, "healthy"],
    ]);
    expect(report.results[0]?.findings).toEqual([
      {
        check: "KeyIdentifierInvalid",
        severity: "critical",
        message:
          "key identifier 'https://contoso-cmk.vault.azure.net/secrets/batch-cmk' is unusable: key id must name the keys collection, found 'secrets'",
        remedy: "Set the account's keyIdentifier to a Key Vault key URL of this cloud.",
      },
    ]);
    expect(calls.getKeyVersion).toEqual([v(1)]);
  });

  it("keeps going when one account cannot be probed at all", async () => {
    const { ports } = fakePorts({});
    const broken = account("broken", kid(1), {
      identity: { type: "UserAssigned", principalId: undefined, userAssigned: null as never },
    });
    const log = createMemoryLogger();
    const report = await probeAccounts(input([broken, account("fine", kid(1))], ports, { log }));

    expect(report.results.map((result) => result.status)).toEqual(["unknown", "healthy"]);
    expect(log.lines.filter((line) => line.level === "error")).toHaveLength(1);
  });

  it("finds the vault in another configured subscription, and says so when it is nowhere", async () => {
    const elsewhere = fakePorts({ vaults: { [otherSubscriptionId]: [vault()] } });
    const found = await probeAccounts(
      input([account("contosobatch", kid(1))], elsewhere.ports, {
        settings: { ...settings, subscriptionIds: [otherSubscriptionId] },
      }),
    );
    expect(found.results[0]?.status).toBe("healthy");
    expect(elsewhere.calls.listVaults).toEqual([subscriptionId, otherSubscriptionId]);

    const nowhere = fakePorts({ vaults: {} });
    const missing = await probeAccounts(input([account("contosobatch", kid(1))], nowhere.ports));
    expect(missing.results[0]?.findings).toEqual([
      couldNotSee(
        `could not see vault: ${vaultUrl} is not among the vaults of subscriptions ${subscriptionId}`,
      ),
    ]);
  });

  it.each([
    [true, 1],
    [false, 0],
  ])(
    "with reconcile %s, hands a stale account and the newest usable version to the hook %i times",
    async (reconcile, times) => {
      const { ports } = fakePorts({
        versions: [keyVersion(1), keyVersion(2), keyVersion(3, { enabled: false })],
      });
      const moved: Array<[string, string]> = [];
      const stale = account("stale", kid(1));
      const report = await probeAccounts(
        input([stale], ports, {
          settings: { ...settings, reconcile },
          onStaleVersion: async (target, newest) => {
            moved.push([target.id, newest]);
            return false;
          },
        }),
      );
      expect(report.results[0]?.newestUsableKid).toBe(kid(2));
      expect(moved).toEqual(Array.from({ length: times }, () => [stale.id, kid(2)]));
    },
  );

  it("logs a failing reconcile hook and still reports the account", async () => {
    const { ports } = fakePorts({ versions: [keyVersion(1), keyVersion(2)] });
    const log = createMemoryLogger();
    const report = await probeAccounts(
      input([account("stale", kid(1))], ports, {
        log,
        settings: { ...settings, reconcile: true },
        onStaleVersion: () => Promise.reject(restError(409, "Conflict")),
      }),
    );
    expect(report.results[0]?.status).toBe("warning");
    expect(log.lines.filter((line) => line.level === "warn").map((line) => line.line)).toEqual([
      expect.stringContaining("moving an account off a stale key version failed"),
    ]);
  });

  it("skips accounts with platform-managed keys", async () => {
    const { ports, calls } = fakePorts({});
    const platform = account("platform", kid(1), { keySource: "Microsoft.Batch" });
    const report = await probeAccounts(input([platform], ports));
    expect({ results: report.results, skipped: report.skipped }).toEqual({
      results: [],
      skipped: 1,
    });
    expect(calls.getKeyVersion).toEqual([]);
  });

  it("probes the accounts listed before the account list failed, and reports the failure", async () => {
    const { ports } = fakePorts({});
    async function* listed(): AsyncGenerator<BatchAccount> {
      yield account("first", kid(1));
      throw restError(503, "ServiceUnavailable");
    }
    const report = await probeAccounts(input([], ports, { accounts: listed() }));
    expect(report.results.map((result) => result.status)).toEqual(["healthy"]);
    expect(report.discoveryFailure).toBe(
      "503 ServiceUnavailable ServiceUnavailable from the service",
    );
  });

  it("hands every check of a healthy account to the alerts as passing, with its identifiers", async () => {
    const { ports } = fakePorts({});
    const { alerts, observed } = fakeAlerts();
    const healthy = account("contosobatch", kid(1));
    await probeAccounts(input([healthy], ports, { alerts }));
    expect(observed).toEqual([
      {
        target: {
          accountId: healthy.id,
          vault: "contoso-cmk",
          keyName: "batch-cmk",
          version: v(1),
        },
        observations: probeReasons.map((check) => ({ check, observation: { kind: "passing" } })),
      },
    ]);
  });

  it("logs an alert store failure and still reports every account", async () => {
    const { ports } = fakePorts({});
    const log = createMemoryLogger();
    const alerts = { observe: () => Promise.reject(restError(503, "ServerBusy")) };
    const report = await probeAccounts(
      input([account("one", kid(1)), account("two", kid(1))], ports, { alerts, log }),
    );
    expect(report.results.map((result) => result.status)).toEqual(["healthy", "healthy"]);
    expect(log.lines.filter((line) => line.level === "error")).toHaveLength(2);
  });
});
