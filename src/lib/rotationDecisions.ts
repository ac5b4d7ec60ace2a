/**
 * What a key event means for one account: a pure function of the event, the account's current key
 * identifier, what Key Vault says of the key's versions, and the settings. No I/O here, so every
 * rule is a row in a table of tests.
 */
import type { KeyEventType } from "./events";
import { type KeyId, toKeyId } from "./keyId";
import type { KeyVersion, KeyVersionProperties } from "./model";

/** Why an account was or was not changed; the same words appear in logs, alerts and tests. */
export const RotationReason = {
  VersionlessIdentifier: "VersionlessIdentifier",
  AlreadyOnVersion: "AlreadyOnVersion",
  NewerVersionPinned: "NewerVersionPinned",
  NotOnEventVersion: "NotOnEventVersion",
  NewVersionUnusable: "NewVersionUnusable",
  MoveToNewVersion: "MoveToNewVersion",
  MoveOffExpiringVersion: "MoveOffExpiringVersion",
  MoveOffExpiredVersion: "MoveOffExpiredVersion",
  NearExpiryAlertOnly: "NearExpiryAlertOnly",
  NoUsableVersion: "NoUsableVersion",
  VersionNotExpired: "VersionNotExpired",
  ChangeAlreadyRecorded: "ChangeAlreadyRecorded",
  ChangeInProgress: "ChangeInProgress",
  LedgerUnavailable: "LedgerUnavailable",
  PatchFailed: "PatchFailed",
  PatchNotConfirmed: "PatchNotConfirmed",
  AccountUnreadable: "AccountUnreadable",
  KeyVaultUnavailable: "KeyVaultUnavailable",
} as const;
export type RotationReason = (typeof RotationReason)[keyof typeof RotationReason];

/** What Key Vault says of the event's key, gathered once per event and shared by all accounts. */
export interface KeyFacts {
  /** Every version's attributes. */
  readonly versions: readonly KeyVersionProperties[];
  /** Why the event's version cannot be used by Batch; empty when it can. */
  readonly eventVersionProblems: readonly string[];
  /** The newest version that passes every check, after a rotation when one was made. */
  readonly newestUsable: KeyVersion | undefined;
  /** True in a dry run that would have rotated the key: the new version does not exist yet. */
  readonly wouldRotate: boolean;
}

export type Decision =
  | { readonly action: "none"; readonly reason: RotationReason; readonly message: string }
  | {
      readonly action: "move";
      readonly reason: RotationReason;
      readonly to: string;
      readonly message: string;
    }
  /** Nothing changes, and someone must know: logged as an error and raised as an alert. */
  | { readonly action: "refuse"; readonly reason: RotationReason; readonly message: string };

export interface DecisionInput {
  readonly eventType: KeyEventType;
  /** The event's key identifier, canonical and versioned. */
  readonly eventKey: KeyId;
  /** The account's current key identifier, parsed; the same key as the event's. */
  readonly current: KeyId;
  readonly facts: KeyFacts;
  readonly nearExpiryAction: "rotate" | "alert";
  /** When the decision is made: a version's expiry is judged against it. */
  readonly now: Date;
}

export function decideRotation(input: DecisionInput): Decision {
  const { eventType, eventKey, current, facts } = input;
  const version = eventKey.version ?? "";
  if (current.version === undefined) {
    return none(
      "VersionlessIdentifier",
      "versionless key identifier: Batch follows new versions itself",
    );
  }

  switch (eventType) {
    case "Microsoft.KeyVault.KeyNewVersionCreated": {
      if (current.version === version)
        return none("AlreadyOnVersion", "already on the event's version");
      // Without the version in the list there is no creation date to order it by, and nothing
      // to move to: saying "not older" would hide that the event names a version Key Vault lacks.
      const eventListed = facts.versions.some((entry) => entry.version === version);
      if (!eventListed) {
        return refuse(
          "NewVersionUnusable",
          "new version is unusable for Batch: version not found in the key's versions",
        );
      }
      // Move only when the current version is known to be older. A current version Key Vault no
      // longer lists cannot be used anyway, so moving off it to a validated version is safe.
      const currentListed = facts.versions.some((entry) => entry.version === current.version);
      if (currentListed && !createdAfter(facts.versions, version, current.version)) {
        return none(
          "NewerVersionPinned",
          "already on a version not older than the event's; never moving backwards",
        );
      }
      if (facts.eventVersionProblems.length > 0) {
        return refuse(
          "NewVersionUnusable",
          `new version is unusable for Batch: ${facts.eventVersionProblems.join("; ")}`,
        );
      }
      return move("MoveToNewVersion", eventKey.kid, "moving to the new version");
    }

    case "Microsoft.KeyVault.KeyNearExpiry": {
      if (current.version !== version)
        return none("NotOnEventVersion", "not on the version near expiry");
      const target = facts.newestUsable;
      if (
        target !== undefined &&
        target.version !== version &&
        createdAfter(facts.versions, target.version, version)
      ) {
        return move(
          "MoveOffExpiringVersion",
          target.kid,
          "moving off the version near expiry to the newest usable one",
        );
      }
      if (facts.wouldRotate) {
        const placeholder = toKeyId(
          eventKey.vaultUrl,
          eventKey.vaultName,
          eventKey.name,
          "(rotated)",
        ).kid;
        return move(
          "MoveOffExpiringVersion",
          placeholder,
          "would rotate the key and move to the new version",
        );
      }
      if (input.nearExpiryAction === "alert") {
        return refuse(
          "NearExpiryAlertOnly",
          "version is near expiry and no newer usable version exists; near-expiry action is alert",
        );
      }
      return refuse("NoUsableVersion", "version is near expiry and no newer usable version exists");
    }

    case "Microsoft.KeyVault.KeyExpired": {
      // Events can be replayed, forged in a test or sent for the wrong version; Key Vault's own
      // attributes decide whether the version has expired.
      const listed = facts.versions.find((entry) => entry.version === version);
      if (listed !== undefined && !hasExpired(listed, input.now)) {
        return none(
          "VersionNotExpired",
          "Key Vault reports the version is not expired; nothing to do",
        );
      }
      if (current.version !== version)
        return none("NotOnEventVersion", "not on the expired version");
      const target = facts.newestUsable;
      if (target !== undefined && target.version !== version) {
        return move(
          "MoveOffExpiredVersion",
          target.kid,
          "moving off the expired version to the newest usable one",
        );
      }
      return refuse(
        "NoUsableVersion",
        "account is on an expired key version and the key has no usable version",
      );
    }
  }
}

/** True when version `a` was created after version `b`, as far as Key Vault's list tells. */
export function createdAfter(
  versions: readonly KeyVersionProperties[],
  a: string,
  b: string,
): boolean {
  const created = (version: string) =>
    versions.find((entry) => entry.version === version)?.createdOn?.getTime();
  const createdA = created(a);
  const createdB = created(b);
  return createdA !== undefined && createdB !== undefined && createdA > createdB;
}

function hasExpired(version: KeyVersionProperties, now: Date): boolean {
  return version.expiresOn !== undefined && version.expiresOn.getTime() <= now.getTime();
}

function none(reason: RotationReason, message: string): Decision {
  return { action: "none", reason, message };
}

function move(reason: RotationReason, to: string, message: string): Decision {
  return { action: "move", reason, to, message };
}

function refuse(reason: RotationReason, message: string): Decision {
  return { action: "refuse", reason, message };
}
