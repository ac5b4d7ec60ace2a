/**
 * What the probe must not flag, through the real SDK clients into the stand-in: changes that leave
 * an account able to use its key, the expiry horizon setting, and reconcile moving stale pins.
 */
import { describe, expect, it } from "vitest";
import { createWorld } from "./support/harness";
import {
  type CheckCase,
  allFour,
  rbacVault,
  rows,
  swapRole,
  twoWays,
  worldFor,
} from "./support/probeCases";
import {
  cryptoServiceEncryptionUser,
  currentVersion,
  findingsOf,
  healthy,
  keysExceptUnwrap,
  olderVersion,
  subscription,
} from "./support/probeScenario";

const passingCases: CheckCase[] = [
  {
    what: "nothing changes",
    variants: allFour,
    breaks: () => undefined,
    expected: () => [],
  },
  {
    what: "nothing changes and the account follows the key without a version",
    variants: allFour,
    pin: "versionless",
    breaks: () => undefined,
    expected: () => [],
  },
  {
    what: "an older version the account does not use is disabled and expired",
    variants: twoWays,
    breaks: (world, a) =>
      world.standIn.setKeyVersionAttributes(a.vaultName, a.keyName, olderVersion, {
        enabled: false,
        exp: new Date("2026-12-01T00:00:00Z"),
      }),
    expected: () => [],
  },
  {
    what: "a newer version is EC, so it is no move for the account",
    variants: twoWays,
    breaks: (world, a) => void world.standIn.addKeyVersion(a.vaultName, a.keyName, { kty: "EC" }),
    expected: () => [],
  },
  {
    what: "the pinned version expires in 31 days, past the 30-day warning",
    variants: twoWays,
    breaks: (world, a) =>
      world.standIn.setKeyVersionAttributes(a.vaultName, a.keyName, currentVersion, {
        exp: new Date("2027-01-04T09:00:01Z"),
      }),
    expected: () => [],
  },
  {
    what: "the account's key URL is written with upper case, :443 and a trailing slash",
    variants: twoWays,
    breaks: (world, a) =>
      world.standIn.setAccountKeyIdentifier(
        a.accountId,
        `https://${a.vaultName.toUpperCase()}.Vault.Azure.Net:443/keys/${a.keyName}/` +
          `${currentVersion.toUpperCase()}/`,
      ),
    expected: () => [],
  },
  {
    what: "the role moves from the vault to the key itself",
    variants: rbacVault,
    breaks: (world, a) =>
      swapRole(world, a, cryptoServiceEncryptionUser, `${a.vaultId}/keys/${a.keyName}`),
    expected: () => [],
  },
  {
    what: "the role moves from the vault to the whole subscription",
    variants: rbacVault,
    breaks: (world, a) =>
      swapRole(world, a, cryptoServiceEncryptionUser, `/subscriptions/${subscription}`),
    expected: () => [],
  },
  {
    // Azure subtracts notDataActions per role, so the second role's unwrap still counts.
    what: "a role excluding unwrap is added beside the role granting it",
    variants: rbacVault,
    breaks: (world, a) =>
      void world.standIn.addRoleAssignment({
        principalId: a.principalId ?? "",
        scope: `/subscriptions/${subscription}`,
        roleDefinitionId: keysExceptUnwrap,
      }),
    expected: () => [],
  },
];

describe("accounts the probe finds healthy", () => {
  it.each(rows(passingCases))("finds nothing when %s", async (_, access, identity, entry) => {
    const { world } = worldFor(entry, access, identity);

    const run = await world.runtime.probe(world.log);

    expect(run.results.map(({ status, findings }) => ({ status, findings }))).toEqual([
      { status: "healthy", findings: [] },
    ]);
    expect(world.alerts).toEqual([]);
  });
});

describe("the expiry warning horizon", () => {
  it("warns of expiry by the configured horizon rather than the default 30 days", async () => {
    const account = healthy({ access: "access-policy", identity: "system-assigned" });
    const world = createWorld(account.scenario, { BATCH_CMK_EXPIRY_WARNING_DAYS: "60" });
    world.standIn.setKeyVersionAttributes(account.vaultName, account.keyName, currentVersion, {
      exp: new Date("2027-01-20T00:00:00Z"),
    });

    const run = await world.runtime.probe(world.log);

    expect(findingsOf(run)).toEqual([
      {
        accountId: account.accountId,
        check: "KeyVersionExpiringSoon",
        severity: "warning",
        message: `${account.kid} expires on 2027-01-20T00:00:00.000Z`,
      },
    ]);
  });
});

describe("moving accounts off stale versions", () => {
  const newer = "9c8b7a6f5e4d4c3b2a1f0e9d8c7b6a59";

  it.each([
    ["with BATCH_CMK_RECONCILE=true moves the account and records it", "true", true],
    ["with reconcile off only warns and leaves the account be", "false", false],
  ] as const)("%s", async (_, reconcile, moves) => {
    const account = healthy({ access: "RBAC", identity: "user-assigned" });
    const world = createWorld(account.scenario, { BATCH_CMK_RECONCILE: reconcile });
    world.standIn.addKeyVersion(account.vaultName, account.keyName, { version: newer });

    const first = await world.runtime.probe(world.log);

    // A moved account is reported as it now is: on the newest version, nothing newer to move to.
    expect(
      first.results.map(({ keyIdentifier, newestUsableKid }) => [keyIdentifier, newestUsableKid]),
    ).toEqual([moves ? [account.kidOf(newer), undefined] : [account.kid, account.kidOf(newer)]]);
    expect(world.standIn.getAccount(account.accountId)?.keyIdentifier).toBe(
      moves ? account.kidOf(newer) : account.kid,
    );
    const history = await world.runtime.history();
    expect(
      history.map(({ accountId, previousKeyIdentifier, newKeyIdentifier, outcome }) => ({
        accountId,
        previousKeyIdentifier,
        newKeyIdentifier,
        outcome,
      })),
    ).toEqual(
      moves
        ? [
            {
              accountId: account.accountId,
              previousKeyIdentifier: account.kid,
              newKeyIdentifier: account.kidOf(newer),
              outcome: "applied",
            },
          ]
        : [],
    );

    // A pin the probe has just moved is fixed, so nobody is warned of it.
    expect(findingsOf(first).map(({ check }) => check)).toEqual(
      moves ? [] : ["AccountOnStaleVersion"],
    );
    expect(world.alerts.map(({ kind, check }) => `${kind} ${check}`)).toEqual(
      moves ? [] : ["raised AccountOnStaleVersion"],
    );

    world.setNow("2026-12-04T09:15:00Z");
    const second = await world.runtime.probe(world.log);

    expect(findingsOf(second).map(({ check }) => check)).toEqual(
      moves ? [] : ["AccountOnStaleVersion"],
    );
    expect(world.alerts).toHaveLength(moves ? 0 : 1);
  });

  it("leaves the account and its warning be when reconcile runs in dry-run mode", async () => {
    const account = healthy({ access: "access-policy", identity: "system-assigned" });
    const world = createWorld(account.scenario, {
      BATCH_CMK_RECONCILE: "true",
      BATCH_CMK_DRY_RUN: "true",
    });
    world.standIn.addKeyVersion(account.vaultName, account.keyName, { version: newer });

    const run = await world.runtime.probe(world.log);

    expect(world.standIn.getAccount(account.accountId)?.keyIdentifier).toBe(account.kid);
    expect(findingsOf(run).map(({ check }) => check)).toEqual(["AccountOnStaleVersion"]);
    expect(world.alerts.map(({ kind, check }) => `${kind} ${check}`)).toEqual([
      "raised AccountOnStaleVersion",
    ]);
  });
});
