/**
 * Probe check cases: each starts from the healthy account of one variant (vault kind x identity
 * kind), breaks one thing through the stand-in's API, and names the findings it expects.
 */
import type { Reason, Severity } from "../../src/lib/checks";
import type { StandInOptions } from "../../src/standin/standIn";
import { type World, createWorld } from "./harness";
import {
  type Access,
  type Healthy,
  type HealthyOptions,
  type IdentityKind,
  healthy,
} from "./probeScenario";

export interface ExpectedFinding {
  readonly check: Reason;
  readonly severity: Severity;
  readonly message: string;
}

export interface CheckCase {
  readonly what: string;
  readonly variants: ReadonlyArray<readonly [Access, IdentityKind]>;
  readonly breaks: (world: World, account: Healthy) => void;
  readonly expected: (account: Healthy) => ExpectedFinding[];
  readonly pin?: HealthyOptions["pin"];
  readonly vault?: HealthyOptions["vault"];
  readonly standIn?: StandInOptions;
}

export const allFour = [
  ["access-policy", "system-assigned"],
  ["access-policy", "user-assigned"],
  ["RBAC", "system-assigned"],
  ["RBAC", "user-assigned"],
] as const;
// Key and vault checks do not depend on the identity, so two variants cover both vault kinds and
// both identity kinds between them.
export const twoWays = [
  ["access-policy", "system-assigned"],
  ["RBAC", "user-assigned"],
] as const;
export const policyVault = allFour.filter(([access]) => access === "access-policy");
export const rbacVault = allFour.filter(([access]) => access === "RBAC");

/** The gap an IdentityLacksKeyPermissions message names for the account's one identity. */
export function lacks(account: Healthy, permissions: string): string {
  const who = account.identity === "system-assigned" ? "system-assigned identity" : "identity";
  return `${who} ${account.principalId ?? ""} lacks ${permissions} on ${account.kid}`;
}

export const critical = (check: Reason, message: string): ExpectedFinding => ({
  check,
  severity: "critical",
  message,
});
export const warning = (check: Reason, message: string): ExpectedFinding => ({
  check,
  severity: "warning",
  message,
});

export function swapRole(world: World, account: Healthy, roleDefinitionId: string, scope?: string) {
  world.standIn.removeRoleAssignment(account.assignmentName ?? "");
  world.standIn.addRoleAssignment({
    principalId: account.principalId ?? "",
    scope: scope ?? account.vaultId,
    roleDefinitionId,
  });
}

/** it.each rows: a sentence naming the case and its variant, then the variant and case. */
export function rows(cases: readonly CheckCase[]) {
  return cases.flatMap((entry) =>
    entry.variants.map(
      ([access, identity]) =>
        [`${entry.what} (${access} vault, ${identity} identity)`, access, identity, entry] as const,
    ),
  );
}

/** A world from the healthy account of this variant, with the case's change applied. */
export function worldFor(entry: CheckCase, access: Access, identity: IdentityKind) {
  const account = healthy({ access, identity, pin: entry.pin, vault: entry.vault });
  const world = createWorld(account.scenario, {}, { standIn: entry.standIn });
  entry.breaks(world, account);
  return { world, account };
}
