import { describe, expect, it } from "vitest";
import type { KeyEventType } from "../src/lib/events";
import { type KeyFacts, decideRotation } from "../src/lib/rotationDecisions";
import { keyId, keyVersion, kid, v } from "./support/keys";

const newVersion: KeyEventType = "Microsoft.KeyVault.KeyNewVersionCreated";
const nearExpiry: KeyEventType = "Microsoft.KeyVault.KeyNearExpiry";
const expired: KeyEventType = "Microsoft.KeyVault.KeyExpired";

const versions = [1, 2, 3].map((n) => keyVersion(n));
/** Mid-2026: every version in `versions` is valid (they expire in January 2027). */
const beforeExpiry = new Date(Date.UTC(2026, 5, 1));
/** Mid-2027: every version in `versions` has expired. */
const afterExpiry = new Date(Date.UTC(2027, 5, 1));

function facts(overrides: Partial<KeyFacts> = {}): KeyFacts {
  return {
    versions,
    eventVersionProblems: [],
    newestUsable: undefined,
    wouldRotate: false,
    ...overrides,
  };
}

describe("decideRotation", () => {
  it.each([
    {
      when: "the account's identifier is versionless",
      type: newVersion,
      event: 3,
      current: undefined,
      facts: facts(),
      expected: { action: "none", reason: "VersionlessIdentifier" },
    },
    {
      when: "the account is already on the new version (a redelivery)",
      type: newVersion,
      event: 3,
      current: 3,
      facts: facts(),
      expected: { action: "none", reason: "AlreadyOnVersion" },
    },
    {
      when: "the account is on a version created after the event's (out of order)",
      type: newVersion,
      event: 2,
      current: 3,
      facts: facts(),
      expected: { action: "none", reason: "NewerVersionPinned" },
    },
    {
      when: "the new version is not in Key Vault's list of versions",
      type: newVersion,
      event: 4,
      current: 3,
      facts: facts({ eventVersionProblems: ["version not found in the key's versions"] }),
      expected: {
        action: "refuse",
        reason: "NewVersionUnusable",
        message: "new version is unusable for Batch: version not found in the key's versions",
      },
    },
    {
      when: "the new version is unlisted and the current one too",
      type: newVersion,
      event: 4,
      current: 9,
      facts: facts({ eventVersionProblems: ["version not found in the key's versions"] }),
      expected: { action: "refuse", reason: "NewVersionUnusable" },
    },
    {
      when: "the new version is unusable",
      type: newVersion,
      event: 3,
      current: 2,
      facts: facts({ eventVersionProblems: ["version is disabled"] }),
      expected: { action: "refuse", reason: "NewVersionUnusable" },
    },
    {
      when: "the account is on an older version and the new one is usable",
      type: newVersion,
      event: 3,
      current: 2,
      facts: facts(),
      expected: { action: "move", reason: "MoveToNewVersion", to: kid(v(3)) },
    },
    {
      when: "near expiry and the account is not on the expiring version",
      type: nearExpiry,
      event: 2,
      current: 3,
      facts: facts({ newestUsable: keyVersion(3) }),
      expected: { action: "none", reason: "NotOnEventVersion" },
    },
    {
      when: "near expiry and a newer usable version exists",
      type: nearExpiry,
      event: 2,
      current: 2,
      facts: facts({ newestUsable: keyVersion(3) }),
      expected: { action: "move", reason: "MoveOffExpiringVersion", to: kid(v(3)) },
    },
    {
      when: "near expiry, no newer version, action alert",
      type: nearExpiry,
      event: 3,
      current: 3,
      facts: facts({ newestUsable: keyVersion(3) }),
      action: "alert" as const,
      expected: { action: "refuse", reason: "NearExpiryAlertOnly" },
    },
    {
      when: "near expiry in a dry run that would rotate",
      type: nearExpiry,
      event: 3,
      current: 3,
      facts: facts({ newestUsable: keyVersion(3), wouldRotate: true }),
      expected: { action: "move", reason: "MoveOffExpiringVersion", to: kid("(rotated)") },
    },
    {
      when: "near expiry, no newer version and rotation impossible",
      type: nearExpiry,
      event: 3,
      current: 3,
      facts: facts({ newestUsable: keyVersion(3) }),
      expected: { action: "refuse", reason: "NoUsableVersion" },
    },
    {
      when: "expired and a usable version exists",
      type: expired,
      now: afterExpiry,
      event: 2,
      current: 2,
      facts: facts({ newestUsable: keyVersion(3) }),
      expected: { action: "move", reason: "MoveOffExpiredVersion", to: kid(v(3)) },
    },
    {
      when: "expired and the account already moved on",
      type: expired,
      now: afterExpiry,
      event: 2,
      current: 3,
      facts: facts({ newestUsable: keyVersion(3) }),
      expected: { action: "none", reason: "NotOnEventVersion" },
    },
    {
      when: "expired and no usable version exists",
      type: expired,
      now: afterExpiry,
      event: 3,
      current: 3,
      facts: facts({ newestUsable: undefined }),
      expected: { action: "refuse", reason: "NoUsableVersion" },
    },
    {
      when: "expired, but Key Vault says the version expires later",
      type: expired,
      now: beforeExpiry,
      event: 2,
      current: 2,
      facts: facts({ newestUsable: keyVersion(3) }),
      expected: {
        action: "none",
        reason: "VersionNotExpired",
        message: "Key Vault reports the version is not expired; nothing to do",
      },
    },
    {
      when: "expired, but Key Vault gives the version no expiry",
      type: expired,
      now: afterExpiry,
      event: 3,
      current: 3,
      facts: facts({
        versions: [keyVersion(1), keyVersion(2), keyVersion(3, { expiresOn: undefined })],
        newestUsable: undefined,
      }),
      expected: { action: "none", reason: "VersionNotExpired" },
    },
    {
      when: "expired exactly now by Key Vault's date",
      type: expired,
      now: new Date(Date.UTC(2027, 0, 2)),
      event: 2,
      current: 2,
      facts: facts({ newestUsable: keyVersion(3) }),
      expected: { action: "move", reason: "MoveOffExpiredVersion", to: kid(v(3)) },
    },
    {
      when: "expired and Key Vault no longer lists the version",
      type: expired,
      now: beforeExpiry,
      event: 4,
      current: 4,
      facts: facts({ newestUsable: keyVersion(3) }),
      expected: { action: "move", reason: "MoveOffExpiredVersion", to: kid(v(3)) },
    },
  ])(
    "$when: $expected.action ($expected.reason)",
    ({ type, event, current, facts: keyFacts, action, now, expected }) => {
      const decision = decideRotation({
        eventType: type,
        eventKey: keyId(v(event)),
        current: keyId(current === undefined ? undefined : v(current)),
        facts: keyFacts,
        nearExpiryAction: action ?? "rotate",
        now: now ?? beforeExpiry,
      });
      expect(decision).toMatchObject(expected);
      expect(decision.message).not.toBe("");
    },
  );

  it("does not move when the order of the two versions is unknown", () => {
    const undated = versions.map((entry) => ({ ...entry, createdOn: undefined }));
    const decision = decideRotation({
      eventType: newVersion,
      eventKey: keyId(v(2)),
      current: keyId(v(3)),
      facts: facts({ versions: undated }),
      nearExpiryAction: "rotate",
      now: beforeExpiry,
    });
    expect(decision).toMatchObject({ action: "none", reason: "NewerVersionPinned" });
  });

  it("moves off a current version that Key Vault no longer lists", () => {
    const decision = decideRotation({
      eventType: newVersion,
      eventKey: keyId(v(3)),
      current: keyId(v(9)),
      facts: facts(),
      nearExpiryAction: "rotate",
      now: beforeExpiry,
    });
    expect(decision).toEqual({
      action: "move",
      reason: "MoveToNewVersion",
      to: kid(v(3)),
      message: "moving to the new version",
    });
  });
});
