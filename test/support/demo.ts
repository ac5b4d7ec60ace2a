/**
 * The demo scenario (scenarios/demo.json) as tests name it: its subscription, its one vault and
 * key, its Batch accounts, and Key Vault events for that key as Event Grid delivers them.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { type Scenario, loadScenario } from "../../src/standin/scenario";

/** The demo's one subscription. */
export const demoSubscription = "6f1d2c3b-4a59-4e8d-9c7b-1a2b3c4d5e6f";

/** ARM id of the demo's vault, contoso-cmk: the topic of its Key Vault events. */
export const demoVaultId = `/subscriptions/${demoSubscription}/resourceGroups/security-rg/providers/Microsoft.KeyVault/vaults/contoso-cmk`;

/** The demo vault's data-plane URL. */
export const demoVaultUrl = "https://contoso-cmk.vault.azure.net";

/** The newer seeded version of batch-cmk, which the pinned accounts start on. */
export const demoSeededVersion = "7d2e3b4a5c6d4e8f9a0b1c2d3e4f5a6b";

/** The key identifier of batch-cmk at `version`, or the versionless one without a version. */
export function demoKid(version?: string): string {
  const versionless = `${demoVaultUrl}/keys/batch-cmk`;
  return version === undefined ? versionless : `${versionless}/${version}`;
}

/** ARM id of a demo Batch account (batchprod, batchetl, batchfollow) in batch-rg. */
export function demoAccountId(name: string): string {
  return `/subscriptions/${demoSubscription}/resourceGroups/batch-rg/providers/Microsoft.Batch/batchAccounts/${name}`;
}

/** The scenario file as parsed JSON, read afresh on each call. */
export function demoScenarioJson(): Record<string, unknown> {
  const file = path.join(__dirname, "..", "..", "scenarios", "demo.json");
  return JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;
}

/** The demo scenario, loaded; `overrides` replace top-level fields first (e.g. `{ cloud }`). */
export function loadDemoScenario(overrides: Record<string, unknown> = {}): Scenario {
  return loadScenario({ ...demoScenarioJson(), ...overrides });
}

/** The key event types a test delivers, without the `Microsoft.KeyVault.` prefix. */
export type KeyVaultEventType = "KeyNewVersionCreated" | "KeyNearExpiry" | "KeyExpired";

/** The `data` of a Key Vault event; NBF and EXP are epoch seconds. */
export interface KeyVaultEventData {
  Id: string;
  VaultName: string;
  ObjectType: string;
  ObjectName: string;
  Version: string;
  NBF: number | string | null;
  EXP: number | string | null;
}

export interface KeyVaultEventOverrides {
  /** Defaults to `evt-<type>-<version>`. */
  readonly id?: string;
  /** Defaults to 2026-12-04T09:00:00Z. */
  readonly eventTime?: string;
  /** Fields of `data` to replace, e.g. a key id on another host or an EXP. */
  readonly data?: Partial<KeyVaultEventData>;
}

/** A Key Vault event for batch-cmk at `version` in the demo vault, in the Event Grid schema. */
export function keyVaultEvent(
  type: KeyVaultEventType,
  version: string,
  overrides: KeyVaultEventOverrides = {},
) {
  const data: KeyVaultEventData = {
    Id: demoKid(version),
    VaultName: "contoso-cmk",
    ObjectType: "Key",
    ObjectName: "batch-cmk",
    Version: version,
    NBF: null,
    EXP: null,
    ...overrides.data,
  };
  return {
    id: overrides.id ?? `evt-${type}-${version}`,
    topic: demoVaultId,
    subject: "batch-cmk",
    eventType: `Microsoft.KeyVault.${type}`,
    eventTime: overrides.eventTime ?? "2026-12-04T09:00:00Z",
    data,
    dataVersion: "1",
    metadataVersion: "1",
  };
}
