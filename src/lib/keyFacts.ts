/**
 * What the rotation decisions need to know of an event's key, read once for every account that
 * uses it: the key's versions, whether the event's version is usable, and the newest usable one.
 */
import type { KeyVaultPort } from "./azure/ports";
import { keyVersionAttributeProblems, keyVersionProblems } from "./checks";
import type { Settings } from "./config";
import type { KeyEvent } from "./events";
import type { Logger } from "./log";
import type { KeyVersion } from "./model";
import { type KeyFacts, createdAfter } from "./rotationDecisions";

export interface KeyFactsDeps {
  readonly ports: { readonly keyVault: KeyVaultPort };
  readonly settings: Pick<Settings, "dryRun" | "nearExpiryAction">;
  readonly log: Logger;
  readonly now: () => Date;
  /** Whether any account pins the event's version; only then is a key near expiry rotated. */
  readonly accountsOnEventVersion: boolean;
}

/** What versionless accounts are decided on: they never need the key's versions. */
export const noKeyFacts: KeyFacts = {
  versions: [],
  eventVersionProblems: [],
  newestUsable: undefined,
  wouldRotate: false,
};

/** How many versions, newest first, are read in full while looking for a usable one. */
const maxCandidateReads = 5;

/**
 * Reads what the decisions need of the key, once for all accounts: its versions, whether the
 * event's version is usable, and the newest usable version. A near-expiry event for the newest
 * version rotates the key here, so every account can move to the new version at once.
 */
export async function gatherKeyFacts(event: KeyEvent, deps: KeyFactsDeps): Promise<KeyFacts> {
  const { keyVault } = deps.ports;
  const { vaultUrl, name } = event.key;
  const version = event.key.version ?? "";
  const now = deps.now();
  let versions = await keyVault.listKeyVersions(vaultUrl, name);

  const fullReads = new Map<string, Promise<KeyVersion>>();
  const read = (wanted: string): Promise<KeyVersion> => {
    let found = fullReads.get(wanted);
    if (found === undefined) {
      found = keyVault.getKeyVersion(vaultUrl, name, wanted);
      fullReads.set(wanted, found);
    }
    return found;
  };
  const problemsOf = async (wanted: string): Promise<string[]> => {
    const listed = versions.find((entry) => entry.version === wanted);
    if (listed === undefined) return ["version not found in the key's versions"];
    // The list already says so; a GET of a disabled version may answer 403 rather than 200.
    if (!listed.enabled) return ["version is disabled"];
    return keyVersionProblems(await read(wanted), now).map((problem) => problem.message);
  };
  const newestUsable = async (): Promise<KeyVersion | undefined> => {
    // The listed dates already rule some out; only the rest are worth a full read.
    const candidates = versions
      .filter((entry) => keyVersionAttributeProblems(entry, now).length === 0)
      .sort((a, b) => (b.createdOn?.getTime() ?? 0) - (a.createdOn?.getTime() ?? 0))
      .slice(0, maxCandidateReads);
    for (const candidate of candidates) {
      if ((await problemsOf(candidate.version)).length === 0) return read(candidate.version);
    }
    return undefined;
  };

  if (event.type === "Microsoft.KeyVault.KeyNewVersionCreated") {
    return {
      versions,
      eventVersionProblems: await problemsOf(version),
      newestUsable: undefined,
      wouldRotate: false,
    };
  }

  let usable = await newestUsable();
  let wouldRotate = false;
  const newerUsableExists = usable !== undefined && createdAfter(versions, usable.version, version);
  const eventVersionIsNewestEnabled = !versions.some(
    (entry) =>
      entry.enabled && entry.version !== version && createdAfter(versions, entry.version, version),
  );
  if (
    event.type === "Microsoft.KeyVault.KeyNearExpiry" &&
    deps.settings.nearExpiryAction === "rotate" &&
    !newerUsableExists &&
    eventVersionIsNewestEnabled &&
    deps.accountsOnEventVersion
  ) {
    if (deps.settings.dryRun) {
      wouldRotate = true;
    } else {
      // NOTE: the per-key lock serialises near-expiry deliveries within one instance, so a
      // duplicate sees the new version and does not rotate again. Two instances handling the same
      // delivery at once can each rotate; the accounts still end on the newest version, one extra
      // version is the cost, and claiming the rotation in the ledger would cost a write per event.
      const rotated = await keyVault.rotateKey(vaultUrl, name);
      deps.log.info("rotated the key near expiry", { eventId: event.id, kid: rotated.kid });
      versions = [...versions, rotated];
      fullReads.set(rotated.version, Promise.resolve(rotated));
      usable = keyVersionProblems(rotated, now).length === 0 ? rotated : usable;
    }
  }
  return { versions, eventVersionProblems: [], newestUsable: usable, wouldRotate };
}
