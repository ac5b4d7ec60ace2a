import { describe, expect, it } from "vitest";
import {
  type AccountFacts,
  type Finding,
  type IdentityFact,
  type KeyVersionProblem,
  accountOnExpiredKey,
  keyVersionProblems,
  missingFromAccessPolicies,
  missingFromRoleGrants,
  probeReasons,
  rotationPatchFailed,
  rotationRefusedUnusableVersion,
  runChecks,
  statusOf,
} from "../src/lib/checks";
import { parseKeyId } from "../src/lib/keyId";
import type { BatchAccount, KeyVersion, RoleGrant, Vault } from "../src/lib/model";

const now = new Date("2026-03-01T12:00:00.000Z");
const context = { now, expiryWarningDays: 30 };

const vaultUrl = "https://contoso-cmk.vault.azure.net";
const pinned = "0123456789abcdef0123456789abcdef";
const newer = "fedcba9876543210fedcba9876543210";
const pinnedKid = `${vaultUrl}/keys/batch-cmk/${pinned}`;
const newerKid = `${vaultUrl}/keys/batch-cmk/${newer}`;
const principal = "11111111-2222-3333-4444-555555555555";
const accountId =
  "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/batch-rg/providers/Microsoft.Batch/batchAccounts/contosobatch";

function keyVersion(overrides: Partial<KeyVersion> = {}): KeyVersion {
  return {
    kid: pinnedKid,
    name: "batch-cmk",
    version: pinned,
    enabled: true,
    createdOn: new Date("2026-01-01T00:00:00.000Z"),
    notBefore: undefined,
    expiresOn: new Date("2027-01-01T00:00:00.000Z"),
    keyType: "RSA",
    keySize: 3072,
    keyOps: ["wrapKey", "unwrapKey"],
    ...overrides,
  };
}

function vault(overrides: Partial<Vault> = {}): Vault {
  return {
    id: "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/security-rg/providers/Microsoft.KeyVault/vaults/contoso-cmk",
    name: "contoso-cmk",
    vaultUrl,
    enableSoftDelete: true,
    enablePurgeProtection: true,
    enableRbacAuthorization: false,
    accessPolicies: [{ objectId: principal, keys: ["Get", "WrapKey", "UnwrapKey"] }],
    ...overrides,
  };
}

const systemIdentity: IdentityFact = {
  principalId: principal,
  source: "system-assigned",
  grants: { state: "not-read" },
};

function account(overrides: Partial<BatchAccount> = {}): BatchAccount {
  return {
    id: accountId,
    name: "contosobatch",
    subscriptionId: "00000000-0000-0000-0000-000000000001",
    keySource: "Microsoft.KeyVault",
    keyIdentifier: pinnedKid,
    identity: { type: "SystemAssigned", principalId: principal, userAssigned: [] },
    provisioningState: "Succeeded",
    ...overrides,
  };
}

/** Facts of an account whose key, vault and identity are all fine. */
function facts(overrides: Partial<AccountFacts> = {}): AccountFacts {
  return {
    account: account(),
    keyId: { state: "parsed", keyId: parseKeyId(pinnedKid, { cloud: "public" }) },
    key: { state: "found", version: keyVersion() },
    vault: { state: "found", vault: vault() },
    identities: [systemIdentity],
    newerVersion: { state: "none" },
    ...overrides,
  };
}

function findings(of: AccountFacts): Finding[] {
  return runChecks(of, context).flatMap((entry) =>
    entry.outcome === "failed" ? [entry.finding] : [],
  );
}

describe("the probe's checks", () => {
  it("pass every check for an account whose key, vault and identity are fine", () => {
    expect(runChecks(facts(), context)).toEqual(
      probeReasons.map((check) => ({ check, outcome: "passed" })),
    );
  });

  it.each<[string, Partial<AccountFacts>, Finding]>([
    [
      "a key identifier that does not parse",
      {
        account: account({ keyIdentifier: "https://evil.example.com/keys/k" }),
        keyId: {
          state: "invalid",
          problem: "key id host 'evil.example.com' is not a Key Vault host",
        },
        key: { state: "not-read" },
        vault: { state: "not-read" },
        newerVersion: { state: "not-read" },
      },
      {
        check: "KeyIdentifierInvalid",
        severity: "critical",
        message:
          "key identifier 'https://evil.example.com/keys/k' is unusable: key id host 'evil.example.com' is not a Key Vault host",
        remedy: "Set the account's keyIdentifier to a Key Vault key URL of this cloud.",
      },
    ],
    [
      "a key that is gone",
      {
        key: { state: "not-found", deletedUnseen: undefined },
        newerVersion: { state: "not-read" },
      },
      {
        check: "KeyNotFound",
        severity: "critical",
        message: `${pinnedKid} is not found and is not among the vault's deleted keys`,
        remedy: "The key is gone: point the account at an existing usable key version.",
      },
    ],
    [
      "a missing key whose deleted state could not be read",
      {
        key: { state: "not-found", deletedUnseen: "403 Forbidden no list permission" },
        newerVersion: { state: "not-read" },
      },
      {
        check: "KeyNotFound",
        severity: "critical",
        message: `${pinnedKid} is not found; could not tell whether it is soft-deleted (403 Forbidden no list permission)`,
        remedy:
          "Look for the key in the vault's deleted keys and recover it, or pin an existing key.",
      },
    ],
    [
      "a soft-deleted key",
      {
        key: { state: "soft-deleted", scheduledPurgeDate: new Date("2026-05-30T00:00:00.000Z") },
        newerVersion: { state: "not-read" },
      },
      {
        check: "KeySoftDeleted",
        severity: "critical",
        message: `${pinnedKid} is soft-deleted and recoverable until 2026-05-30T00:00:00.000Z`,
        remedy: "Recover the deleted key (az keyvault key recover) before its purge date.",
      },
    ],
    [
      "a disabled version (seen through the version list after a 403)",
      {
        key: { state: "disabled", properties: { ...keyVersion(), enabled: false } },
      },
      {
        check: "KeyVersionDisabled",
        severity: "critical",
        message: `${pinnedKid}: key version is disabled`,
        remedy: "Re-enable the key version, or move the account to a usable version.",
      },
    ],
    [
      "an expired version",
      {
        key: {
          state: "found",
          version: keyVersion({ expiresOn: new Date("2026-02-28T00:00:00.000Z") }),
        },
      },
      {
        check: "KeyVersionExpired",
        severity: "critical",
        message: `${pinnedKid}: key version expired on 2026-02-28T00:00:00.000Z`,
        remedy: "Move the account to a newer usable version (rotate the key if there is none).",
      },
    ],
    [
      "a version not yet valid",
      {
        key: {
          state: "found",
          version: keyVersion({ notBefore: new Date("2026-03-02T00:00:00.000Z") }),
        },
      },
      {
        check: "KeyVersionNotYetValid",
        severity: "critical",
        message: `${pinnedKid}: key version is not valid until 2026-03-02T00:00:00.000Z`,
        remedy: "Clear the version's activation date, or pin a version that is already valid.",
      },
    ],
    [
      "a version that does not permit unwrapKey",
      { key: { state: "found", version: keyVersion({ keyOps: ["wrapKey", "encrypt"] }) } },
      {
        check: "KeyOperationsMissing",
        severity: "critical",
        message: `${pinnedKid}: key operations do not permit unwrapKey`,
        remedy: "Permit wrapKey and unwrapKey on the key version, or pin a version that does.",
      },
    ],
    [
      "an EC key",
      { key: { state: "found", version: keyVersion({ keyType: "EC", keySize: undefined }) } },
      {
        check: "KeyTypeUnsupported",
        severity: "critical",
        message: `${pinnedKid}: key type is EC; Batch needs RSA or RSA-HSM`,
        remedy: "Create an RSA key of 2048, 3072 or 4096 bits and move the account to it.",
      },
    ],
    [
      "an RSA key of 1024 bits",
      { key: { state: "found", version: keyVersion({ keySize: 1024 }) } },
      {
        check: "KeyTypeUnsupported",
        severity: "critical",
        message: `${pinnedKid}: key size is 1024 bits; Batch needs 2048, 3072 or 4096`,
        remedy: "Create an RSA key of 2048, 3072 or 4096 bits and move the account to it.",
      },
    ],
    [
      "an account with no identity",
      { identities: [] },
      {
        check: "IdentityMissing",
        severity: "critical",
        message: `account has no system- or user-assigned identity to reach ${pinnedKid}`,
        remedy:
          "Give the account a managed identity and grant it Get, Wrap Key and Unwrap Key on the key.",
      },
    ],
    [
      "an identity the access policy gives only Get",
      {
        vault: {
          state: "found",
          vault: vault({ accessPolicies: [{ objectId: principal, keys: ["get", "list"] }] }),
        },
      },
      {
        check: "IdentityLacksKeyPermissions",
        severity: "critical",
        message: `system-assigned identity ${principal} lacks wrapKey, unwrapKey on ${pinnedKid}`,
        remedy:
          "Add a vault access policy giving the identity Get, Wrap Key and Unwrap Key on keys.",
      },
    ],
    [
      "an identity whose roles on an RBAC vault only read keys",
      {
        vault: { state: "found", vault: vault({ enableRbacAuthorization: true }) },
        identities: [
          {
            ...systemIdentity,
            grants: {
              state: "found",
              grants: {
                roles: [
                  { dataActions: ["Microsoft.KeyVault/vaults/keys/read"], notDataActions: [] },
                ],
              },
            },
          },
        ],
      },
      {
        check: "IdentityLacksKeyPermissions",
        severity: "critical",
        message: `system-assigned identity ${principal} lacks wrapKey, unwrapKey on ${pinnedKid}`,
        remedy:
          "Assign the identity a role with keys read, wrap and unwrap (Key Vault Crypto Service Encryption User) on the key or vault.",
      },
    ],
    [
      "an account whose provisioning failed",
      { account: account({ provisioningState: "Failed" }) },
      {
        check: "AccountProvisioningFailed",
        severity: "critical",
        message: "account provisioningState is Failed",
        remedy:
          "Read the account's activity log, fix key access, then re-apply its encryption settings.",
      },
    ],
    [
      "a version expiring in 10 days",
      {
        key: {
          state: "found",
          version: keyVersion({ expiresOn: new Date("2026-03-11T12:00:00.000Z") }),
        },
      },
      {
        check: "KeyVersionExpiringSoon",
        severity: "warning",
        message: `${pinnedKid} expires on 2026-03-11T12:00:00.000Z`,
        remedy:
          "Create a new key version and move the account to it before 2026-03-11T12:00:00.000Z",
      },
    ],
    [
      "a vault with soft delete off",
      { vault: { state: "found", vault: vault({ enableSoftDelete: false }) } },
      {
        check: "VaultSoftDeleteOff",
        severity: "warning",
        message: "vault contoso-cmk has soft delete off",
        remedy: "Turn on soft delete for the vault; Batch customer-managed keys require it.",
      },
    ],
    [
      "a vault with purge protection off",
      { vault: { state: "found", vault: vault({ enablePurgeProtection: false }) } },
      {
        check: "VaultPurgeProtectionOff",
        severity: "warning",
        message: "vault contoso-cmk has purge protection off",
        remedy:
          "Turn on purge protection (az keyvault update --name contoso-cmk --enable-purge-protection true).",
      },
    ],
    [
      "an account pinned to an older version while a newer usable one exists",
      { newerVersion: { state: "found", kid: newerKid } },
      {
        check: "AccountOnStaleVersion",
        severity: "warning",
        message: `${pinnedKid} is pinned; newer usable ${newerKid} exists`,
        remedy: `Move the account to ${newerKid} (the probe does this itself when BATCH_CMK_RECONCILE is on).`,
      },
    ],
    [
      "a key the probe could not read",
      {
        key: { state: "unseen", summary: "500 InternalServerError boom" },
        newerVersion: { state: "not-read" },
      },
      {
        check: "ProbeCouldNotSee",
        severity: "unknown",
        message: "could not see key: 500 InternalServerError boom",
        remedy:
          "Check the guard's own access to the key, vault and role assignments, and that Key Vault and ARM are reachable.",
      },
    ],
  ])("find %s, and nothing else", (_, overrides, expected) => {
    expect(findings(facts(overrides))).toEqual([expected]);
  });

  it("judge nothing about the key when the probe could not read it, so open alerts stay open", () => {
    const results = runChecks(
      facts({ key: { state: "unseen", summary: "timeout" }, newerVersion: { state: "not-read" } }),
      context,
    );
    const notEvaluated = results.filter((entry) => entry.outcome === "not-evaluated");
    expect(notEvaluated.map((entry) => entry.check)).toEqual([
      "KeyNotFound",
      "KeySoftDeleted",
      "KeyVersionDisabled",
      "KeyVersionExpired",
      "KeyVersionNotYetValid",
      "KeyOperationsMissing",
      "KeyTypeUnsupported",
      "KeyVersionExpiringSoon",
      "AccountOnStaleVersion",
    ]);
  });

  it("call the account's identity usable when any one user-assigned identity holds the permissions", () => {
    const other = "99999999-2222-3333-4444-555555555555";
    const result = findings(
      facts({
        identities: [
          { principalId: other, source: "/uai/one", grants: { state: "not-read" } },
          { principalId: principal, source: "/uai/two", grants: { state: "not-read" } },
        ],
      }),
    );
    expect(result).toEqual([]);
  });

  it("cannot say an identity lacks permissions while another identity's grants were unseen", () => {
    const other = "99999999-2222-3333-4444-555555555555";
    const results = runChecks(
      facts({
        vault: { state: "found", vault: vault({ enableRbacAuthorization: true }) },
        identities: [
          {
            principalId: other,
            source: "/uai/one",
            grants: { state: "found", grants: { roles: [] } },
          },
          {
            principalId: principal,
            source: "/uai/two",
            grants: { state: "unseen", summary: "403" },
          },
        ],
      }),
      context,
    );
    expect(results.find((entry) => entry.check === "IdentityLacksKeyPermissions")).toEqual({
      check: "IdentityLacksKeyPermissions",
      outcome: "not-evaluated",
    });
  });

  it("does not warn of expiry when the warning window is 0 days", () => {
    const soon = facts({
      key: { state: "found", version: keyVersion({ expiresOn: new Date("2026-03-02T00:00:00Z") }) },
    });
    expect(findings(soon).map((finding) => finding.check)).toEqual(["KeyVersionExpiringSoon"]);
    expect(
      runChecks(soon, { now, expiryWarningDays: 0 }).every((r) => r.outcome === "passed"),
    ).toBe(true);
  });
});

describe("keyVersionProblems", () => {
  it.each<[string, Partial<KeyVersion>, KeyVersionProblem[]]>([
    ["a usable RSA 2048 version", { keySize: 2048 }, []],
    ["a usable RSA-HSM 4096 version", { keyType: "RSA-HSM", keySize: 4096 }, []],
    [
      "a disabled version",
      { enabled: false },
      [{ check: "KeyVersionDisabled", message: "key version is disabled" }],
    ],
    [
      "a version expiring exactly now",
      { expiresOn: now },
      [{ check: "KeyVersionExpired", message: "key version expired on 2026-03-01T12:00:00.000Z" }],
    ],
    [
      "an oct key without wrap operations",
      { keyType: "oct", keyOps: ["encrypt"] },
      [
        { check: "KeyTypeUnsupported", message: "key type is oct; Batch needs RSA or RSA-HSM" },
        {
          check: "KeyOperationsMissing",
          message: "key operations do not permit wrapKey, unwrapKey",
        },
      ],
    ],
    [
      "a version whose operations are unknown",
      { keyOps: undefined },
      [
        {
          check: "KeyOperationsMissing",
          message: "key operations do not permit wrapKey, unwrapKey",
        },
      ],
    ],
  ])("lists the problems of %s", (_, overrides, expected) => {
    expect(keyVersionProblems(keyVersion(overrides), now)).toEqual(expected);
  });
});

describe("key permissions", () => {
  it.each<[string, string[], string[], string[]]>([
    [
      "the three data actions by name",
      [
        "Microsoft.KeyVault/vaults/keys/read",
        "Microsoft.KeyVault/vaults/keys/wrap/action",
        "Microsoft.KeyVault/vaults/keys/unwrap/action",
      ],
      [],
      [],
    ],
    ["a keys wildcard", ["Microsoft.KeyVault/vaults/keys/*"], [], []],
    ["a global wildcard, in another letter case", ["microsoft.keyvault/*"], [], []],
    [
      "a wildcard with unwrap excluded",
      ["Microsoft.KeyVault/vaults/keys/*"],
      ["Microsoft.KeyVault/vaults/keys/unwrap/action"],
      ["unwrapKey"],
    ],
    ["secrets only", ["Microsoft.KeyVault/vaults/secrets/*"], [], ["get", "wrapKey", "unwrapKey"]],
  ])("role grants of %s", (_, dataActions, notDataActions, missing) => {
    expect(missingFromRoleGrants({ roles: [{ dataActions, notDataActions }] })).toEqual(missing);
  });

  const keysWildcard = { dataActions: ["Microsoft.KeyVault/vaults/keys/*"], notDataActions: [] };
  const readOnly = { dataActions: ["Microsoft.KeyVault/vaults/keys/read"], notDataActions: [] };
  const allButUnwrap = {
    dataActions: ["Microsoft.KeyVault/vaults/keys/*"],
    notDataActions: ["Microsoft.KeyVault/vaults/keys/unwrap/action"],
  };
  const unwrapOnly = {
    dataActions: ["Microsoft.KeyVault/vaults/keys/unwrap/action"],
    notDataActions: [],
  };
  it.each<[string, RoleGrant[], string[]]>([
    ["no role at all", [], ["get", "wrapKey", "unwrapKey"]],
    [
      "a role excluding unwrap beside one granting every key action",
      [allButUnwrap, keysWildcard],
      [],
    ],
    ["a role excluding unwrap beside one granting unwrap alone", [allButUnwrap, unwrapOnly], []],
    ["a role excluding unwrap beside one that only reads", [allButUnwrap, readOnly], ["unwrapKey"]],
    ["two roles that each only read", [readOnly, readOnly], ["wrapKey", "unwrapKey"]],
  ])("role grants of %s, each role judged on its own", (_, roles, missing) => {
    expect(missingFromRoleGrants({ roles })).toEqual(missing);
  });

  it.each<[string, string[], string[]]>([
    ["Get, WrapKey and UnwrapKey in any letter case", ["GET", "wrapkey", "UnwrapKey"], []],
    ["all", ["all"], []],
    ["get and list", ["get", "list"], ["wrapKey", "unwrapKey"]],
  ])("an access policy of %s", (_, keys, missing) => {
    const policies = vault({ accessPolicies: [{ objectId: principal.toUpperCase(), keys }] });
    expect(missingFromAccessPolicies(policies, principal)).toEqual(missing);
  });

  it("an access policy for someone else grants nothing", () => {
    const policies = vault({ accessPolicies: [{ objectId: "someone-else", keys: ["all"] }] });
    expect(missingFromAccessPolicies(policies, principal)).toEqual(["get", "wrapKey", "unwrapKey"]);
  });
});

describe("account status", () => {
  const finding = (severity: Finding["severity"]): Finding => ({
    check: "ProbeCouldNotSee",
    severity,
    message: "m",
    remedy: "r",
  });

  it.each<[string, Finding[], string]>([
    ["no findings", [], "healthy"],
    ["a warning", [finding("warning")], "warning"],
    ["a warning and something unseen", [finding("warning"), finding("unknown")], "unknown"],
    ["something unseen and a critical", [finding("unknown"), finding("critical")], "critical"],
  ])("is derived from %s", (_, given, status) => {
    expect(statusOf(given)).toBe(status);
  });
});

describe("rotation findings", () => {
  it("describe a refused version, a failed PATCH and an expired key", () => {
    expect([
      rotationRefusedUnusableVersion(newerKid, ["key version is disabled"]),
      rotationPatchFailed(newerKid, "409 Conflict"),
      accountOnExpiredKey(pinnedKid, new Date("2026-02-01T00:00:00.000Z")),
    ]).toEqual([
      {
        check: "RotationRefusedUnusableVersion",
        severity: "warning",
        message: `refused to move to ${newerKid}: key version is disabled`,
        remedy: "Create a usable key version (enabled, RSA 2048/3072/4096, wrapKey and unwrapKey).",
      },
      {
        check: "RotationPatchFailed",
        severity: "warning",
        message: `PATCH of the account to ${newerKid} failed: 409 Conflict`,
        remedy:
          "A 400 means the Batch account's own identity cannot use the key (check IdentityLacksKeyPermissions); a 403 means the guard lacks write access on the account; conflicts, throttling and server errors are retried by redelivery.",
      },
      {
        check: "AccountOnExpiredKey",
        severity: "critical",
        message: `account is left on ${pinnedKid}, which expired on 2026-02-01T00:00:00.000Z`,
        remedy: "Create a usable key version and move the account to it now.",
      },
    ]);
  });

  it("name no expiry date for an expired key when the version's date is unknown", () => {
    expect(accountOnExpiredKey(pinnedKid, undefined)).toEqual({
      check: "AccountOnExpiredKey",
      severity: "critical",
      message: `account is left on ${pinnedKid}, which expired`,
      remedy: "Create a usable key version and move the account to it now.",
    });
  });
});
