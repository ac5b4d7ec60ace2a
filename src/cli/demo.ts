/**
 * `demo`: the rotation and revocation story on the offline stand-in, with the deliveries Event Grid
 * really sends. Prints a timeline a person can read and exits non-zero if any step misbehaved.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { AlertNotification, AlertSink } from "../lib/alerts";
import { loadSettings } from "../lib/config";
import type { DeliveryResult } from "../lib/delivery";
import { type Logger, createMemoryLogger } from "../lib/log";
import type { AccountOutcome } from "../lib/rotation";
import { type ProbeRun, createRuntime } from "../lib/runtime";
import { loadScenario } from "../standin/scenario";
import { createStandIn } from "../standin/standIn";
import { startAzurite } from "./azurite";
import { accountName, shortKid, table } from "./format";

// From src/cli when run through tsx, from dist/src/cli when compiled.
const scenarioFile =
  [
    path.join(__dirname, "..", "..", "scenarios", "demo.json"),
    path.join(__dirname, "..", "..", "..", "scenarios", "demo.json"),
  ].find((file) => existsSync(file)) ?? "scenarios/demo.json";
const subscriptionId = "6f1d2c3b-4a59-4e8d-9c7b-1a2b3c4d5e6f";
const vaultId = `/subscriptions/${subscriptionId}/resourceGroups/security-rg/providers/Microsoft.KeyVault/vaults/contoso-cmk`;
const vaultUrl = "https://contoso-cmk.vault.azure.net";
const vault = "contoso-cmk";
const key = "batch-cmk";
const etlPrincipal = "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c02";
const pinned = ["batchprod", "batchetl"];
const indent = "          ";

interface DemoOptions {
  readonly print: (text: string) => void;
  /** When given, the product's own log lines go here too. */
  readonly log?: Logger | undefined;
}

export async function runDemo({ print, log }: DemoOptions): Promise<number> {
  let clock = new Date("2026-12-04T09:00:00Z");
  const now = () => clock;
  const at = (time: string) => {
    clock = new Date(`2026-12-04T${time}Z`);
  };

  const standIn = createStandIn(loadScenario(JSON.parse(readFileSync(scenarioFile, "utf8"))), {
    clock: now,
  });
  const azurite = await startAzurite();
  const alerts: AlertNotification[] = [];
  const collector: AlertSink = {
    name: "demo",
    send: (notification) => void alerts.push(notification),
  };
  const productLog = log ?? createMemoryLogger();

  const settings = loadSettings({
    BATCH_CMK_SUBSCRIPTION_IDS: subscriptionId,
    AzureWebJobsStorage: azurite.connectionString,
    BATCH_CMK_REMINDER_INTERVAL_MINUTES: "60",
  });
  const runtime = createRuntime({
    settings,
    credential: standIn.credential,
    httpClient: standIn.httpClient,
    now,
    alertSinks: [collector],
  });

  const failures: string[] = [];
  const check = (ok: boolean, what: string) => {
    print(`${indent}${ok ? "✔" : "✘"} ${what}`);
    if (!ok) failures.push(what);
  };
  const keyOf = (name: string) => standIn.getAccount(accountId(name))?.keyIdentifier;
  const deliver = async (body: unknown): Promise<DeliveryResult> => {
    const before = standIn.counts();
    const seen = alerts.length;
    const result = await runtime.handleDelivery(body, productLog);
    printOutcomes(print, result);
    printAlerts(print, alerts.slice(seen));
    printCalls(print, before, standIn.counts());
    return result;
  };
  const probe = async (): Promise<ProbeRun> => {
    const seen = alerts.length;
    const before = standIn.counts();
    const run = await runtime.probe(productLog);
    printProbe(print, run, alerts.slice(seen));
    printCalls(print, before, standIn.counts());
    return run;
  };
  const raisedSince = (seen: number, check: string, kind = "raised") =>
    alerts.slice(seen).filter((alert) => alert.check === check && alert.kind === kind);

  try {
    print("batch-cmk-guard demo: Batch accounts following Key Vault key contoso-cmk/batch-cmk,");
    print(
      "on the offline stand-in for Azure (real SDK clients, no network) with Azurite for the ledger.",
    );
    print(
      "Accounts: batchprod and batchetl pin a version; batchfollow is versionless; batchplain uses a platform key.\n",
    );

    // --- Rotation -------------------------------------------------------------------------------
    at("09:00:00");
    const v3 = standIn.addKeyVersion(vault, key, { exp: new Date("2027-12-04T00:00:00Z") });
    step(
      print,
      clock,
      `Key Vault creates version ${short(v3)}; Event Grid delivers KeyNewVersionCreated`,
    );
    const created = eventGridEvent(
      "KeyNewVersionCreated",
      v3,
      "2d1b7c5e-0c9f-4a43-9a8e-6b5d2f1a7c01",
    );
    await deliver(created);
    check(
      pinned.every((name) => keyOf(name) === kidOf(v3)),
      "the pinned accounts follow the new version",
    );
    check(
      keyOf("batchfollow") === `${vaultUrl}/keys/${key}`,
      "the versionless account is left alone",
    );

    at("09:01:00");
    step(print, clock, "Event Grid delivers the same event again (at-least-once delivery)");
    const patchesBefore = standIn.count("batch.update");
    const again = await deliver(created);
    check(
      standIn.count("batch.update") === patchesBefore && !again.retryable,
      "the redelivery changes nothing",
    );

    at("09:02:00");
    step(
      print,
      clock,
      "a late KeyNewVersionCreated for the previous version arrives, as a CloudEvent",
    );
    const previous = "7d2e3b4a5c6d4e8f9a0b1c2d3e4f5a6b";
    const late = await deliver(
      cloudEvent("KeyNewVersionCreated", previous, "5b0e9d4c-3a2f-4e1d-8c7b-6a5f4e3d2c02"),
    );
    check(
      pinned.every((name) => keyOf(name) === kidOf(v3)) &&
        outcomesOf(late).every((o) => o.decision === "unchanged"),
      "an out-of-order delivery never moves an account backwards",
    );

    at("09:05:00");
    const v4 = standIn.addKeyVersion(vault, key, { enabled: false });
    step(
      print,
      clock,
      `someone creates version ${short(v4)} disabled; KeyNewVersionCreated arrives`,
    );
    let seen = alerts.length;
    const refused = await deliver(
      eventGridEvent("KeyNewVersionCreated", v4, "8e7d6c5b-4a39-4281-9f0e-1d2c3b4a5f03"),
    );
    check(
      pinned.every((name) => keyOf(name) === kidOf(v3)) &&
        outcomesOf(refused).filter((o) => o.decision === "refused").length === pinned.length,
      "the disabled version is refused and the accounts stay on a working one",
    );
    check(
      raisedSince(seen, "RotationRefusedUnusableVersion").length === pinned.length,
      "the refusal raises an alert",
    );

    at("09:10:00");
    step(print, clock, `version ${short(v3)} nears expiry; Key Vault sends KeyNearExpiry`);
    seen = alerts.length;
    const rotatesBefore = standIn.count("keys.rotate");
    await deliver(eventGridEvent("KeyNearExpiry", v3, "0c9b8a7f-6e5d-4c3b-9a21-0f9e8d7c6b04"));
    const v5 = standIn.keyVersions(vault, key).at(-1) ?? "";
    check(standIn.count("keys.rotate") === rotatesBefore + 1, "the key is rotated once");
    check(
      pinned.every((name) => keyOf(name) === kidOf(v5)),
      `the pinned accounts move to the rotated version ${short(v5)} at once`,
    );

    at("09:11:00");
    step(print, clock, `the follow-up KeyNewVersionCreated for ${short(v5)} arrives`);
    const followUp = await deliver(
      eventGridEvent("KeyNewVersionCreated", v5, "4f3e2d1c-0b9a-4876-a5e4-d3c2b1a09f05"),
    );
    check(
      outcomesOf(followUp).every((o) => o.decision === "unchanged"),
      "it is a no-op",
    );

    // --- Revocation -----------------------------------------------------------------------------
    at("09:15:00");
    step(print, clock, "the timer probes every CMK account");
    const healthy = await probe();
    check(
      healthy.results.every((r) => r.status === "healthy"),
      "every account is healthy",
    );

    at("09:17:00");
    standIn.disableKeyVersion(vault, key, v5);
    step(
      print,
      clock,
      `an operator disables version ${short(v5)} by mistake (Key Vault sends no event for this)`,
    );
    const disabledAt = clock;

    at("09:20:00");
    step(print, clock, "the next timer probe");
    seen = alerts.length;
    await probe();
    const raised = raisedSince(seen, "KeyVersionDisabled");
    check(
      raised.length === 3,
      "a critical KeyVersionDisabled alert is raised for each account on the key",
    );
    if (raised.length > 0) {
      const minutes = (clock.getTime() - disabledAt.getTime()) / 60_000;
      print(
        `${indent}  time from the key being disabled to the alert: ${minutes} minutes (one probe interval at most)`,
      );
    }

    at("09:25:00");
    step(print, clock, "the probe five minutes later");
    seen = alerts.length;
    await probe();
    check(alerts.length === seen, "an open alert is not raised again");

    at("10:20:00");
    step(print, clock, "the probe after the 60-minute reminder interval");
    seen = alerts.length;
    await probe();
    check(
      raisedSince(seen, "KeyVersionDisabled", "reminded").length === 3,
      "the open alerts are reminded",
    );

    at("10:22:00");
    standIn.enableKeyVersion(vault, key, v5);
    step(print, clock, `the operator re-enables version ${short(v5)}`);

    at("10:25:00");
    step(print, clock, "the next timer probe");
    seen = alerts.length;
    await probe();
    check(raisedSince(seen, "KeyVersionDisabled", "resolved").length === 3, "the alerts resolve");

    at("10:30:00");
    standIn.removeAccessPolicy(vault, etlPrincipal);
    step(
      print,
      clock,
      "batchetl's identity is removed from the vault's access policies; VaultAccessPolicyChanged arrives",
    );
    seen = alerts.length;
    await deliver(policyChangedEvent("7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c06"));
    const lost = raisedSince(seen, "IdentityLacksKeyPermissions");
    check(
      lost.length === 1 &&
        lost[0]?.accountId === accountId("batchetl") &&
        lost[0]?.on.getTime() === clock.getTime(),
      "a critical alert for batchetl is raised at once, without waiting for the timer",
    );

    step(print, clock, "the ledger: every change, newest first, with what it replaced");
    const history = await runtime.history();
    print(
      indented(
        table(
          ["when", "account", "from", "to", "outcome", "event"],
          history.map((entry) => [
            entry.changedOn.toISOString().slice(11, 19),
            accountName(entry.accountId),
            shortKid(entry.previousKeyIdentifier),
            shortKid(entry.newKeyIdentifier),
            entry.outcome,
            entry.eventType.replace("Microsoft.KeyVault.", ""),
          ]),
        ),
      ),
    );
    check(
      history.length === 4 && history.every((entry) => entry.outcome === "applied"),
      "four changes, all recorded",
    );
    check(
      standIn.untrustedRequests.length === 0,
      "no request left for a host outside the stand-in",
    );
  } finally {
    await azurite.stop();
  }

  print("");
  if (failures.length === 0) {
    print("Every step behaved as it should.");
    return 0;
  }
  print(
    `${failures.length} step(s) did not behave:\n${failures.map((failure) => `  - ${failure}`).join("\n")}`,
  );
  return 1;
}

function accountId(name: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/batch-rg/providers/Microsoft.Batch/batchAccounts/${name}`;
}

function kidOf(version: string): string {
  return `${vaultUrl}/keys/${key}/${version}`;
}

function short(version: string): string {
  return version.slice(0, 8);
}

function step(print: (text: string) => void, clock: Date, text: string): void {
  print(`\n${clock.toISOString().slice(11, 19)}  ${text}`);
}

function indented(text: string): string {
  return text
    .split("\n")
    .map((line) => `${indent}${line}`)
    .join("\n");
}

function outcomesOf(result: DeliveryResult): AccountOutcome[] {
  return result.reports.flatMap((report) => (report.kind === "key" ? report.result.outcomes : []));
}

function printOutcomes(print: (text: string) => void, result: DeliveryResult): void {
  const outcomes = outcomesOf(result);
  if (outcomes.length > 0) {
    print(
      indented(
        table(
          ["account", "from", "to", "decision", "why"],
          outcomes.map((o) => [
            accountName(o.accountId),
            shortKid(o.from),
            shortKid(o.to),
            o.decision,
            `${o.reason}: ${o.message}`,
          ]),
        ),
      ),
    );
  }
  for (const report of result.reports) {
    if (report.kind === "vault-policy") print(`${indent}${report.summary}`);
    if (report.kind === "rejected" || report.kind === "ignored")
      print(`${indent}${report.kind}: ${report.reason}`);
  }
}

function printProbe(
  print: (text: string) => void,
  run: ProbeRun,
  raised: readonly AlertNotification[],
): void {
  const rows = run.results.map((result) => [
    accountName(result.accountId),
    result.status,
    result.findings.map((finding) => finding.check).join(", ") || "-",
  ]);
  print(indented(table(["account", "status", "findings"], rows)));
  printAlerts(print, raised);
}

function printAlerts(print: (text: string) => void, raised: readonly AlertNotification[]): void {
  for (const alert of raised) {
    print(
      `${indent}alert ${alert.kind}: ${accountName(alert.accountId)} ${alert.check} (${alert.severity})`,
    );
  }
  const remedies = new Set(
    raised.filter((alert) => alert.kind === "raised").map((alert) => alert.remedy),
  );
  for (const remedy of remedies) print(`${indent}  remedy: ${remedy}`);
}

function printCalls(
  print: (text: string) => void,
  before: Record<string, number>,
  after: Record<string, number>,
): void {
  const calls = Object.entries(after)
    .map(([operation, count]) => [operation, count - (before[operation] ?? 0)] as const)
    .filter(([, count]) => count > 0)
    .map(([operation, count]) => `${operation} ${count}`);
  print(`${indent}Azure calls: ${calls.join(", ") || "none"}`);
}

/** The data of a key event as Key Vault sends it: PascalCase, NBF/EXP in epoch seconds. */
function keyData(
  version: string,
  times: { NBF: number | string | null; EXP: number | string | null },
) {
  return {
    Id: `${vaultUrl}/keys/${key}/${version}`,
    VaultName: vault,
    ObjectType: "Key",
    ObjectName: key,
    Version: version,
    ...times,
  };
}

function eventGridEvent(type: string, version: string, id: string): unknown {
  return {
    id,
    topic: vaultId,
    subject: key,
    eventType: `Microsoft.KeyVault.${type}`,
    eventTime: new Date().toISOString(),
    data: keyData(version, { NBF: null, EXP: null }),
    dataVersion: "1",
    metadataVersion: "1",
  };
}

/** The same as a CloudEvent, with NBF/EXP as the numeric strings some deliveries carry. */
function cloudEvent(type: string, version: string, id: string): unknown {
  return {
    specversion: "1.0",
    id,
    source: vaultId,
    subject: key,
    type: `Microsoft.KeyVault.${type}`,
    time: new Date().toISOString(),
    data: keyData(version, { NBF: "1764547200", EXP: "1827619200" }),
  };
}

function policyChangedEvent(id: string): unknown {
  return {
    id,
    topic: vaultId,
    subject: vault,
    eventType: "Microsoft.KeyVault.VaultAccessPolicyChanged",
    eventTime: new Date().toISOString(),
    data: {
      Id: `${vaultUrl}/`,
      VaultName: vault,
      ObjectType: "Vault",
      ObjectName: vault,
      Version: "",
      NBF: null,
      EXP: null,
    },
    dataVersion: "1",
    metadataVersion: "1",
  };
}
