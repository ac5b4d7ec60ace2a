/**
 * Every probe check through the real SDK clients into the stand-in: each case starts from a healthy
 * account, breaks one thing through the stand-in's API, and expects the exact findings and the
 * alerts raised for them.
 */
import { describe, expect, it } from "vitest";
import type { AlertNotification } from "../src/lib/alerts";
import type { ProbeRun } from "../src/lib/runtime";
import type { World } from "./support/harness";
import {
  type CheckCase,
  critical,
  lacks,
  policyVault,
  rbacVault,
  rows,
  swapRole,
  twoWays,
  warning,
  worldFor,
} from "./support/probeCases";
import {
  type Healthy,
  cryptoServiceEncryptionUser,
  currentVersion,
  findingsOf,
  keyVaultReader,
  keysExceptUnwrap,
  subscription,
} from "./support/probeScenario";

const missingVersion = "0f0e0d0c0b0a09080706050403020100";

const failingCases: CheckCase[] = [
  {
    what: "the account is pointed at a secret's URL instead of a key's",
    variants: [["access-policy", "system-assigned"]],
    breaks: (world, a) =>
      world.standIn.setAccountKeyIdentifier(
        a.accountId,
        `https://${a.vaultName}.vault.azure.net/secrets/${a.keyName}/${currentVersion}`,
      ),
    expected: (a) => [
      critical(
        "KeyIdentifierInvalid",
        `key identifier 'https://${a.vaultName}.vault.azure.net/secrets/${a.keyName}/` +
          `${currentVersion}' is unusable: key id must name the keys collection, found 'secrets'`,
      ),
    ],
  },
  {
    what: "the account is pointed at a host that is no Key Vault of this cloud",
    variants: [["RBAC", "user-assigned"]],
    breaks: (world, a) =>
      world.standIn.setAccountKeyIdentifier(
        a.accountId,
        `https://${a.vaultName}.vault.azure.cn/keys/${a.keyName}/${currentVersion}`,
      ),
    expected: (a) => [
      critical(
        "KeyIdentifierInvalid",
        `key identifier 'https://${a.vaultName}.vault.azure.cn/keys/${a.keyName}/` +
          `${currentVersion}' is unusable: key id host '${a.vaultName}.vault.azure.cn' is not ` +
          "a Key Vault host of the public cloud",
      ),
    ],
  },
  {
    what: "the key is deleted and sits soft-deleted",
    variants: twoWays,
    breaks: (world, a) => world.standIn.deleteKey(a.vaultName, a.keyName),
    expected: (a) => [
      critical(
        "KeySoftDeleted",
        `${a.kid} is soft-deleted and recoverable until 2027-03-04T09:00:00.000Z`,
      ),
    ],
  },
  {
    what: "the key is deleted from a vault whose soft delete was turned off",
    variants: twoWays,
    breaks: (world, a) => {
      world.standIn.setVaultProperties(a.vaultName, { enableSoftDelete: false });
      world.standIn.deleteKey(a.vaultName, a.keyName);
    },
    expected: (a) => [
      critical("KeyNotFound", `${a.kid} is not found and is not among the vault's deleted keys`),
      warning("VaultSoftDeleteOff", `vault ${a.vaultName} has soft delete off`),
    ],
  },
  {
    what: "the key is deleted and purged from a vault without purge protection",
    variants: twoWays,
    vault: { enablePurgeProtection: false },
    breaks: (world, a) => {
      world.standIn.deleteKey(a.vaultName, a.keyName);
      world.standIn.purgeKey(a.vaultName, a.keyName);
    },
    expected: (a) => [
      critical("KeyNotFound", `${a.kid} is not found and is not among the vault's deleted keys`),
      warning("VaultPurgeProtectionOff", `vault ${a.vaultName} has purge protection off`),
    ],
  },
  {
    what: "the account is pointed at a version the key does not have",
    variants: twoWays,
    breaks: (world, a) =>
      world.standIn.setAccountKeyIdentifier(a.accountId, a.kidOf(missingVersion)),
    expected: (a) => [
      critical(
        "KeyNotFound",
        `${a.kidOf(missingVersion)} is not found and is not among the vault's deleted keys`,
      ),
    ],
  },
  {
    what: "the pinned version is disabled and GET answers 403",
    variants: twoWays,
    breaks: (world, a) => world.standIn.disableKeyVersion(a.vaultName, a.keyName, currentVersion),
    expected: (a) => [critical("KeyVersionDisabled", `${a.kid}: key version is disabled`)],
  },
  {
    what: "the pinned version is disabled and GET answers 200 with enabled false",
    variants: twoWays,
    standIn: { disabledKeyGet: "ok" },
    breaks: (world, a) => world.standIn.disableKeyVersion(a.vaultName, a.keyName, currentVersion),
    expected: (a) => [critical("KeyVersionDisabled", `${a.kid}: key version is disabled`)],
  },
  {
    what: "the current version a versionless account follows is disabled",
    variants: twoWays,
    pin: "versionless",
    breaks: (world, a) => world.standIn.disableKeyVersion(a.vaultName, a.keyName, currentVersion),
    expected: (a) => [critical("KeyVersionDisabled", `${a.kid}: key version is disabled`)],
  },
  {
    what: "the pinned version expired three days ago",
    variants: twoWays,
    breaks: (world, a) =>
      world.standIn.setKeyVersionAttributes(a.vaultName, a.keyName, currentVersion, {
        exp: new Date("2026-12-01T00:00:00Z"),
      }),
    expected: (a) => [
      critical("KeyVersionExpired", `${a.kid}: key version expired on 2026-12-01T00:00:00.000Z`),
    ],
  },
  {
    what: "the pinned version is not valid until next week",
    variants: twoWays,
    breaks: (world, a) =>
      world.standIn.setKeyVersionAttributes(a.vaultName, a.keyName, currentVersion, {
        nbf: new Date("2026-12-10T00:00:00Z"),
      }),
    expected: (a) => [
      critical(
        "KeyVersionNotYetValid",
        `${a.kid}: key version is not valid until 2026-12-10T00:00:00.000Z`,
      ),
    ],
  },
  {
    what: "the pinned version's key operations drop unwrapKey",
    variants: twoWays,
    breaks: (world, a) =>
      world.standIn.setKeyVersionAttributes(a.vaultName, a.keyName, currentVersion, {
        ops: ["encrypt", "decrypt", "sign", "verify", "wrapKey"],
      }),
    expected: (a) => [
      critical("KeyOperationsMissing", `${a.kid}: key operations do not permit unwrapKey`),
    ],
  },
  {
    what: "a versionless account's key gets a new EC version",
    variants: twoWays,
    pin: "versionless",
    breaks: (world, a) => void world.standIn.addKeyVersion(a.vaultName, a.keyName, { kty: "EC" }),
    expected: (a) => [
      critical("KeyTypeUnsupported", `${a.kid}: key type is EC; Batch needs RSA or RSA-HSM`),
    ],
  },
  {
    what: "a versionless account's key gets a new 1024-bit RSA version",
    variants: twoWays,
    pin: "versionless",
    breaks: (world, a) => void world.standIn.addKeyVersion(a.vaultName, a.keyName, { size: 1024 }),
    expected: (a) => [
      critical(
        "KeyTypeUnsupported",
        `${a.kid}: key size is 1024 bits; Batch needs 2048, 3072 or 4096`,
      ),
    ],
  },
  {
    what: "the identity's access policy is cut down to Get and List",
    variants: policyVault,
    breaks: (world, a) =>
      world.standIn.setAccessPolicy(a.vaultName, a.principalId ?? "", ["get", "list"]),
    expected: (a) => [critical("IdentityLacksKeyPermissions", lacks(a, "wrapKey, unwrapKey"))],
  },
  {
    what: "the identity's access policy is removed",
    variants: policyVault,
    breaks: (world, a) => world.standIn.removeAccessPolicy(a.vaultName, a.principalId ?? ""),
    expected: (a) => [critical("IdentityLacksKeyPermissions", lacks(a, "get, wrapKey, unwrapKey"))],
  },
  {
    what: "the identity's role assignment is removed",
    variants: rbacVault,
    breaks: (world, a) => world.standIn.removeRoleAssignment(a.assignmentName ?? ""),
    expected: (a) => [critical("IdentityLacksKeyPermissions", lacks(a, "get, wrapKey, unwrapKey"))],
  },
  {
    what: "the identity's role is swapped for Key Vault Reader",
    variants: rbacVault,
    breaks: (world, a) => swapRole(world, a, keyVaultReader),
    expected: (a) => [critical("IdentityLacksKeyPermissions", lacks(a, "get, wrapKey, unwrapKey"))],
  },
  {
    what: "the identity's role is swapped for a custom role excluding unwrap",
    variants: rbacVault,
    breaks: (world, a) => swapRole(world, a, keysExceptUnwrap),
    expected: (a) => [critical("IdentityLacksKeyPermissions", lacks(a, "unwrapKey"))],
  },
  {
    what: "the identity's role moves to another key's scope",
    variants: rbacVault,
    breaks: (world, a) =>
      swapRole(world, a, cryptoServiceEncryptionUser, `${a.vaultId}/keys/other-key`),
    expected: (a) => [critical("IdentityLacksKeyPermissions", lacks(a, "get, wrapKey, unwrapKey"))],
  },
  {
    what: "the identity holds a role excluding unwrap and Key Vault Reader beside it",
    variants: rbacVault,
    breaks: (world, a) => {
      swapRole(world, a, keysExceptUnwrap);
      world.standIn.addRoleAssignment({
        principalId: a.principalId ?? "",
        scope: `/subscriptions/${subscription}`,
        roleDefinitionId: keyVaultReader,
      });
    },
    expected: (a) => [critical("IdentityLacksKeyPermissions", lacks(a, "unwrapKey"))],
  },
  {
    what: "the account was created without any identity",
    variants: [
      ["access-policy", "no"],
      ["RBAC", "no"],
    ],
    breaks: () => undefined,
    expected: (a) => [
      critical(
        "IdentityMissing",
        `account has no system- or user-assigned identity to reach ${a.kid}`,
      ),
    ],
  },
  {
    what: "the account's provisioning failed",
    variants: twoWays,
    breaks: (world, a) => world.standIn.setAccountProvisioningState(a.accountId, "Failed"),
    expected: () => [critical("AccountProvisioningFailed", "account provisioningState is Failed")],
  },
  {
    what: "the pinned version expires in ten days",
    variants: twoWays,
    breaks: (world, a) =>
      world.standIn.setKeyVersionAttributes(a.vaultName, a.keyName, currentVersion, {
        exp: new Date("2026-12-14T00:00:00Z"),
      }),
    expected: (a) => [
      warning("KeyVersionExpiringSoon", `${a.kid} expires on 2026-12-14T00:00:00.000Z`),
    ],
  },
  {
    what: "the vault's soft delete is turned off",
    variants: twoWays,
    breaks: (world, a) =>
      world.standIn.setVaultProperties(a.vaultName, { enableSoftDelete: false }),
    expected: (a) => [warning("VaultSoftDeleteOff", `vault ${a.vaultName} has soft delete off`)],
  },
  {
    what: "the vault was created without purge protection",
    variants: twoWays,
    vault: { enablePurgeProtection: false },
    breaks: () => undefined,
    expected: (a) => [
      warning("VaultPurgeProtectionOff", `vault ${a.vaultName} has purge protection off`),
    ],
  },
  {
    what: "a newer usable version is added while the account pins the current one",
    variants: twoWays,
    breaks: (world, a) =>
      void world.standIn.addKeyVersion(a.vaultName, a.keyName, {
        version: "9c8b7a6f5e4d4c3b2a1f0e9d8c7b6a59",
      }),
    expected: (a) => [
      warning(
        "AccountOnStaleVersion",
        `${a.kid} is pinned; newer usable ${a.kidOf("9c8b7a6f5e4d4c3b2a1f0e9d8c7b6a59")} exists`,
      ),
    ],
  },
];

/** The notifications the probe should have sent for its own findings, sorted by check. */
function raisedFor(world: World, account: Healthy, run: ProbeRun): AlertNotification[] {
  // An alert names the vault, key and version only when the account's key URL is a usable one.
  const keyIdentifier = world.standIn.getAccount(account.accountId)?.keyIdentifier ?? "";
  const [, vault, keyName, version] =
    /^https:\/\/([^./]+)\.vault\.azure\.net\/keys\/([^/]+)(?:\/([0-9a-f]{32}))?$/.exec(
      keyIdentifier,
    ) ?? [];
  return (run.results[0]?.findings ?? []).map((finding) => ({
    kind: "raised",
    on: world.now(),
    accountId: account.accountId,
    check: finding.check,
    severity: finding.severity,
    message: finding.message,
    remedy: finding.remedy,
    vault,
    keyName,
    version,
  }));
}

const byCheck = (a: { check: string }, b: { check: string }) => a.check.localeCompare(b.check);

describe("each probe check through the real SDK clients into the stand-in", () => {
  it.each(rows(failingCases))("finds that %s", async (_, access, identity, entry) => {
    const { world, account } = worldFor(entry, access, identity);

    const run = await world.runtime.probe(world.log);

    const expected = entry.expected(account);
    expect(findingsOf(run)).toEqual(
      expected.map((finding) => ({ accountId: account.accountId, ...finding })),
    );
    expect(run.results.map((result) => result.status)).toEqual([
      expected.some((finding) => finding.severity === "critical") ? "critical" : "warning",
    ]);
    expect([...world.alerts].sort(byCheck)).toEqual(raisedFor(world, account, run).sort(byCheck));
    expect(world.standIn.untrustedRequests).toEqual([]);
  });
});
