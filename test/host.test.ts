/**
 * The host contract: what the Functions host would see when it loads the app (trigger bindings)
 * and what it gets back when it calls the registered handlers with a delivery.
 */
import { InvocationContext } from "@azure/functions";
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { Registration } from "./setup/functionsCore";
import { demoSeededVersion, demoSubscription, keyVaultEvent } from "./support/demo";

function registrations(): Registration[] {
  return (globalThis as { __functionRegistrations?: Registration[] }).__functionRegistrations ?? [];
}

function registered(name: string): Registration {
  const found = registrations().find((registration) => registration.metadata.name === name);
  if (!found) throw new Error(`no function named ${name} was registered`);
  return found;
}

function context(name: string) {
  const lines: Array<{ level: string; text: string }> = [];
  const invocation = new InvocationContext({
    invocationId: "3f2c9a1e-7b4d-4c8e-9a0f-1b2c3d4e5f60",
    functionName: name,
    logHandler: (level, ...args) => lines.push({ level, text: args.map(String).join(" ") }),
  });
  return { invocation, lines };
}

describe("the Functions host contract", () => {
  beforeAll(async () => {
    process.env.BATCH_CMK_SIMULATE = "scenarios/demo.json";
    process.env.BATCH_CMK_SUBSCRIPTION_IDS = demoSubscription;
    process.env.AzureWebJobsStorage = inject("azuriteConnectionString");
    process.env.BATCH_CMK_LEDGER_TABLE = "hostledger";
    process.env.BATCH_CMK_ALERT_TABLE = "hostalerts";
    process.env.BATCH_CMK_PROBE_SCHEDULE = "0 */10 * * * *";
    await import("../src/functions/keyVaultEvents");
    await import("../src/functions/probeTimer");
  });

  it("registers an Event Grid trigger and a timer trigger, and nothing else", () => {
    const shapes = registrations().map(({ metadata }) => ({
      name: metadata.name,
      bindings: Object.values(metadata.bindings).map(({ type, direction, schedule }) => ({
        type,
        direction,
        ...(schedule !== undefined && { schedule }),
      })),
    }));

    expect(shapes).toEqual([
      { name: "keyVaultEvents", bindings: [{ type: "eventGridTrigger", direction: "in" }] },
      {
        name: "probeTimer",
        bindings: [{ type: "timerTrigger", direction: "in", schedule: "0 */10 * * * *" }],
      },
    ]);
  });

  it("handles a delivered KeyNewVersionCreated event and acknowledges it", async () => {
    const { invocation, lines } = context("keyVaultEvents");
    const event = keyVaultEvent("KeyNewVersionCreated", demoSeededVersion, {
      id: "c1e0f0d2-5b6a-4f3e-9d8c-7b6a5f4e3d21",
      data: { EXP: 1811808000 },
    });

    await expect(registered("keyVaultEvents").handler(event, invocation)).resolves.toBeUndefined();

    // Both pinned accounts are already on this version: a redelivery-like no-op, said at debug.
    expect(
      lines.filter((line) => line.level === "debug").map((line) => line.text.split(" eventId=")[0]),
    ).toEqual([
      "unchanged: already on the event's version",
      "unchanged: already on the event's version",
      "unchanged: versionless key identifier: Batch follows new versions itself",
    ]);
    expect(lines.some((line) => line.level === "error")).toBe(false);
  });

  it("acknowledges an event that names an untrusted host, with one warning and nothing else", async () => {
    const { invocation, lines } = context("keyVaultEvents");
    const event = keyVaultEvent("KeyNewVersionCreated", demoSeededVersion, {
      id: "d2f1e0c3-6c7b-4a5f-8e9d-0a1b2c3d4e52",
      data: {
        Id: `https://contoso-cmk.vault.azure.net.attacker.example/keys/batch-cmk/${demoSeededVersion}`,
      },
    });

    await expect(registered("keyVaultEvents").handler(event, invocation)).resolves.toBeUndefined();

    expect(lines.filter((line) => line.level !== "debug")).toEqual([
      {
        level: "warning",
        text: expect.stringMatching(
          /^rejected event: .*is not a Key Vault host of the public cloud/,
        ),
      },
    ]);
  });

  it("runs the probe when the timer fires, logging a past-due run", async () => {
    const { invocation, lines } = context("probeTimer");
    const timer = {
      isPastDue: true,
      schedule: { adjustForDST: false },
      scheduleStatus: { last: "", next: "", lastUpdated: "" },
    };

    await registered("probeTimer").handler(timer, invocation);

    expect(lines.map((line) => line.text)).toContain("the probe is past due; probing once now");
    expect(lines.map((line) => line.text)).toContain(
      "probed 3 account(s), 0 critical, 0 warning, 0 unknown, 1 with a platform-managed key skipped",
    );
  });
});
