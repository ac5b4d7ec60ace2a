import type { EventGridPublisherClient } from "@azure/eventgrid";
import type { TelemetryClient } from "applicationinsights";
import { describe, expect, it } from "vitest";
import {
  type AlertNotification,
  type AlertRecord,
  type AlertSettings,
  type AlertSink,
  type AlertState,
  type AlertStore,
  type CheckObservation,
  type Observation,
  type Transition,
  AlertManager,
  nextAlertState,
} from "../src/lib/alerts";
import {
  type CloudEventPublisher,
  type EventTracker,
  appInsightsSink,
  eventGridSink,
  logSink,
} from "../src/lib/alertSinks";
import { type Finding, probeReasons, rotationPatchFailed } from "../src/lib/checks";
import { createMemoryLogger } from "../src/lib/log";

// The real clients fit the sinks' narrow ports (checked by the type checker, not at run time).
const telemetryClientFits: TelemetryClient extends EventTracker ? true : false = true;
const publisherFits: EventGridPublisherClient<"CloudEvent"> extends CloudEventPublisher
  ? true
  : false = true;

const t0 = new Date("2026-03-01T12:00:00.000Z");
const at = (minutes: number): Date => new Date(t0.getTime() + minutes * 60_000);
const settings: AlertSettings = { alertAfterFailures: 1, reminderIntervalMinutes: 240 };

const accountId =
  "/subscriptions/00000000-0000-0000-0000-000000000001/resourceGroups/batch-rg/providers/Microsoft.Batch/batchAccounts/contosobatch";
const kid = "https://contoso-cmk.vault.azure.net/keys/batch-cmk/0123456789abcdef0123456789abcdef";
const target = {
  accountId,
  vault: "contoso-cmk",
  keyName: "batch-cmk",
  version: "0123456789abcdef0123456789abcdef",
};

const disabled: Finding = {
  check: "KeyVersionDisabled",
  severity: "critical",
  message: `${kid}: key version is disabled`,
  remedy: "Re-enable the key version, or move the account to a usable version.",
};
const failing: Observation = { kind: "failing", finding: disabled };
const passing: Observation = { kind: "passing" };
const unknown: Observation = { kind: "unknown" };

function state(overrides: Partial<AlertState> = {}): AlertState {
  return {
    status: "open",
    severity: "critical",
    message: disabled.message,
    remedy: disabled.remedy,
    consecutiveFailures: 1,
    firstFailedOn: t0,
    lastFailedOn: t0,
    raisedOn: t0,
    lastNotifiedOn: t0,
    resolvedOn: undefined,
    ...overrides,
  };
}

const pending = (streak: number): AlertState =>
  state({
    status: "closed",
    consecutiveFailures: streak,
    raisedOn: undefined,
    lastNotifiedOn: undefined,
  });

describe("the alert state machine", () => {
  it.each<[string, AlertState | undefined, Observation, Date, Partial<AlertSettings>, Transition]>([
    ["stores nothing for a first pass", undefined, passing, t0, {}, { nextState: undefined }],
    ["stores nothing for a first unknown", undefined, unknown, t0, {}, { nextState: undefined }],
    [
      "raises on the first failure",
      undefined,
      failing,
      t0,
      {},
      { nextState: state(), notification: "raised" },
    ],
    [
      "waits below the failure threshold",
      undefined,
      failing,
      t0,
      { alertAfterFailures: 3 },
      { nextState: pending(1) },
    ],
    [
      "raises when the streak reaches the threshold",
      pending(2),
      failing,
      at(10),
      { alertAfterFailures: 3 },
      {
        nextState: state({
          consecutiveFailures: 3,
          lastFailedOn: at(10),
          raisedOn: at(10),
          lastNotifiedOn: at(10),
        }),
        notification: "raised",
      },
    ],
    [
      "stays quiet and unwritten while open before the reminder is due",
      state(),
      failing,
      at(239),
      {},
      { nextState: state() },
    ],
    [
      "records a changed message while open, without notifying",
      state({ message: "an older description" }),
      failing,
      at(239),
      {},
      { nextState: state({ consecutiveFailures: 2, lastFailedOn: at(239) }) },
    ],
    [
      "reminds once the interval has passed",
      state(),
      failing,
      at(240),
      {},
      {
        nextState: state({
          consecutiveFailures: 2,
          lastFailedOn: at(240),
          lastNotifiedOn: at(240),
        }),
        notification: "reminded",
      },
    ],
    [
      "keeps an open alert open when the probe cannot see",
      state(),
      unknown,
      at(5),
      {},
      { nextState: state() },
    ],
    [
      "still reminds of an open alert while the probe cannot see",
      state(),
      unknown,
      at(240),
      {},
      { nextState: state({ lastNotifiedOn: at(240) }), notification: "reminded" },
    ],
    [
      "never raises from an unknown, even one failure short of the threshold",
      pending(2),
      unknown,
      at(5),
      { alertAfterFailures: 3 },
      { nextState: pending(2) },
    ],
    [
      "resolves an open alert on the first pass",
      state({ consecutiveFailures: 7 }),
      passing,
      at(30),
      {},
      {
        nextState: state({
          status: "closed",
          consecutiveFailures: 0,
          resolvedOn: at(30),
          lastNotifiedOn: at(30),
        }),
        notification: "resolved",
      },
    ],
    [
      "ends a streak below the threshold quietly",
      pending(2),
      passing,
      at(5),
      { alertAfterFailures: 3 },
      { nextState: { ...pending(2), consecutiveFailures: 0, firstFailedOn: undefined } },
    ],
  ])("%s", (_, previous, observation, now, overrides, expected) => {
    expect(nextAlertState(previous, observation, now, { ...settings, ...overrides })).toEqual(
      expected,
    );
  });

  it("returns the previous state itself when nothing changed, so nothing is written", () => {
    const resolved = state({ status: "closed", consecutiveFailures: 0, resolvedOn: t0 });
    expect(nextAlertState(resolved, passing, at(5), settings).nextState).toBe(resolved);
    const open = state();
    expect(nextAlertState(open, unknown, at(5), settings).nextState).toBe(open);
  });
});

/** An in-memory store with ETags, counting writes. */
function memoryStore() {
  const rows = new Map<string, { record: AlertRecord; etag: string }>();
  const writes: AlertRecord[] = [];
  let counter = 0;
  const key = (account: string, check: string) => `${account.toLowerCase()}|${check}`;
  const store: AlertStore = {
    async listAll() {
      return [...rows.values()];
    },
    async listForAccount(account) {
      const prefix = `${account.toLowerCase()}|`;
      return [...rows.entries()].filter(([k]) => k.startsWith(prefix)).map(([, row]) => row);
    },
    async get(account, check) {
      return rows.get(key(account, check));
    },
    async put(record, etag) {
      const current = rows.get(key(record.accountId, record.check));
      if (etag === undefined ? current !== undefined : current?.etag !== etag) {
        return { outcome: "conflict" };
      }
      const row = { record, etag: `W/"${++counter}"` };
      rows.set(key(record.accountId, record.check), row);
      writes.push(record);
      return { outcome: "written", etag: row.etag };
    },
  };
  return { store, rows, writes };
}

function recordingSink(name = "recording") {
  const sent: AlertNotification[] = [];
  const sink: AlertSink = { name, send: (notification) => void sent.push(notification) };
  return { sink, sent };
}

function manager(store: AlertStore, sinks: AlertSink[], overrides: Partial<AlertSettings> = {}) {
  const log = createMemoryLogger();
  return {
    log,
    alerts: new AlertManager({ store, sinks, log, settings: { ...settings, ...overrides } }),
  };
}

const allPassing: CheckObservation[] = probeReasons.map((check) => ({
  check,
  observation: passing,
}));
const disabledFailing: CheckObservation[] = probeReasons.map((check) => ({
  check,
  observation: check === "KeyVersionDisabled" ? failing : passing,
}));

describe("the alert manager", () => {
  it("raises nothing and writes nothing for a healthy fleet probed 100 times", async () => {
    const { store, writes } = memoryStore();
    const { sink, sent } = recordingSink();
    const { alerts } = manager(store, [sink]);
    for (let run = 0; run < 100; run++) {
      for (let account = 0; account < 20; account++) {
        await alerts.observe({ accountId: `${accountId}${account}` }, allPassing, at(run * 5));
      }
    }
    expect({ sent, writes }).toEqual({ sent: [], writes: [] });
  });

  it("raises a failing check once, reminds on schedule and resolves once", async () => {
    const { store } = memoryStore();
    const { sink, sent } = recordingSink();
    const { alerts } = manager(store, [sink]);
    for (let minute = 0; minute <= 480; minute += 5) {
      await alerts.observe(target, disabledFailing, at(minute));
    }
    for (const minute of [485, 490, 495]) await alerts.observe(target, allPassing, at(minute));

    expect(sent.map((n) => [n.kind, (n.on.getTime() - t0.getTime()) / 60_000])).toEqual([
      ["raised", 0],
      ["reminded", 240],
      ["reminded", 480],
      ["resolved", 485],
    ]);
    expect(sent[0]).toEqual({
      kind: "raised",
      on: t0,
      accountId,
      check: "KeyVersionDisabled",
      severity: "critical",
      message: disabled.message,
      remedy: disabled.remedy,
      vault: "contoso-cmk",
      keyName: "batch-cmk",
      version: "0123456789abcdef0123456789abcdef",
    });
  });

  it("raises after the set number of consecutive failures", async () => {
    const { store } = memoryStore();
    const { sink, sent } = recordingSink();
    const { alerts } = manager(store, [sink], { alertAfterFailures: 3 });
    const kinds: string[] = [];
    for (const minute of [0, 5, 10, 15]) {
      const out = await alerts.observe(target, disabledFailing, at(minute));
      kinds.push(out.map((n) => n.kind).join() || "-");
    }
    expect(kinds).toEqual(["-", "-", "raised", "-"]);
    expect(sent).toHaveLength(1);
  });

  it("leaves open alerts open and raises no critical while the probe cannot see", async () => {
    const { store, rows } = memoryStore();
    const { sink, sent } = recordingSink();
    const { alerts } = manager(store, [sink]);
    await alerts.observe(target, disabledFailing, t0);

    const blind: CheckObservation[] = probeReasons.map((check) => ({
      check,
      observation:
        check === "ProbeCouldNotSee"
          ? {
              kind: "failing",
              finding: {
                check,
                severity: "unknown",
                message: "could not see key: 500 InternalServerError",
                remedy: "Check the guard's own access.",
              },
            }
          : unknown,
    }));
    for (let minute = 5; minute < 240; minute += 5) await alerts.observe(target, blind, at(minute));

    expect(sent.map((n) => [n.kind, n.check, n.severity])).toEqual([
      ["raised", "KeyVersionDisabled", "critical"],
      ["raised", "ProbeCouldNotSee", "unknown"],
    ]);
    expect(rows.get(`${accountId.toLowerCase()}|KeyVersionDisabled`)?.record.status).toBe("open");
  });

  it("does not raise twice when two runs race on the same rows", async () => {
    const { store } = memoryStore();
    const first = recordingSink("first");
    const second = recordingSink("second");
    const a = manager(store, [first.sink]).alerts;
    const b = manager(store, [second.sink]).alerts;
    await Promise.all([
      a.observe(target, disabledFailing, t0),
      b.observe(target, disabledFailing, at(0.5)),
    ]);
    expect([...first.sent, ...second.sent].map((n) => n.kind)).toEqual(["raised"]);
  });

  it("gives up on a row that keeps changing, without notifying", async () => {
    const { store } = memoryStore();
    const churning: AlertStore = { ...store, put: async () => ({ outcome: "conflict" }) };
    const { sink, sent } = recordingSink();
    const { alerts, log } = manager(churning, [sink]);
    expect(await alerts.observe(target, disabledFailing, t0)).toEqual([]);
    expect(sent).toEqual([]);
    expect(log.lines.map((line) => line.level)).toEqual(["warn"]);
  });

  it("still notifies the other sinks when one fails, and logs the failure", async () => {
    const { store } = memoryStore();
    const { sink, sent } = recordingSink();
    const broken: AlertSink = {
      name: "eventGrid",
      send: () => Promise.reject(new Error("topic unreachable")),
    };
    const { alerts, log } = manager(store, [broken, sink]);
    await alerts.observe(target, disabledFailing, t0);
    expect(sent.map((n) => n.kind)).toEqual(["raised"]);
    expect(log.lines).toEqual([
      {
        level: "error",
        line: `alert sink failed; the other sinks were still sent sink=eventGrid kind=raised accountId=${accountId} check=KeyVersionDisabled error=Error: topic unreachable`,
      },
    ]);
  });

  it("takes the rotation path's reports and resolutions", async () => {
    const { store } = memoryStore();
    const { sink, sent } = recordingSink();
    const { alerts } = manager(store, [sink]);
    const finding = rotationPatchFailed(kid, "409 Conflict");
    await alerts.report(target, finding, t0);
    await alerts.report(target, finding, at(5));
    await alerts.resolve({ accountId }, "RotationPatchFailed", at(10));
    await alerts.resolve({ accountId }, "RotationPatchFailed", at(15));
    expect(sent.map((n) => [n.kind, n.check, n.vault])).toEqual([
      ["raised", "RotationPatchFailed", "contoso-cmk"],
      ["resolved", "RotationPatchFailed", "contoso-cmk"],
    ]);
  });
});

describe("alert sinks", () => {
  const notification: AlertNotification = {
    kind: "raised",
    on: t0,
    accountId,
    check: "KeyVersionDisabled",
    severity: "critical",
    // A message that carried a secret by mistake must not leave through the external sinks.
    message: "key version is disabled (Authorization: Bearer eyJhbGciOi.secret.token)",
    remedy: disabled.remedy,
    vault: "contoso-cmk",
    keyName: "batch-cmk",
    version: "0123456789abcdef0123456789abcdef",
  };
  const payload = {
    accountId,
    vault: "contoso-cmk",
    keyName: "batch-cmk",
    version: "0123456789abcdef0123456789abcdef",
    check: "KeyVersionDisabled",
    severity: "critical",
    remedy: disabled.remedy,
  };

  it("track an Application Insights custom event with identifiers only", async () => {
    const events: unknown[] = [];
    await appInsightsSink({ trackEvent: (event) => void events.push(event) }).send(notification);
    expect(events).toEqual([{ name: "BatchCmkGuard.AlertRaised", properties: payload }]);
  });

  it("publish a CloudEvent with the account as subject and identifiers only", async () => {
    const batches: unknown[][] = [];
    const publisher = { send: async (events: unknown[]) => void batches.push(events) };
    const sink = eventGridSink(publisher, { source: "/subscriptions/x/sites/guard" });
    await sink.send(notification);
    await sink.send(notification);
    await sink.send({ ...notification, kind: "resolved" });

    expect(batches[0]).toEqual([
      {
        type: "BatchCmkGuard.AlertRaised",
        source: "/subscriptions/x/sites/guard",
        id: expect.stringMatching(/^[0-9a-f]{32}$/),
        time: t0,
        subject: accountId,
        datacontenttype: "application/json",
        data: payload,
      },
    ]);
    const ids = batches.map((batch) => (batch[0] as { id: string }).id);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[0]);
    expect(JSON.stringify(batches)).not.toContain("Bearer");
  });

  it("write raised alerts to the log as warnings and resolutions as information", async () => {
    const log = createMemoryLogger();
    const sink = logSink(log);
    await sink.send({ ...notification, message: `${kid}: key version is disabled` });
    await sink.send({
      ...notification,
      kind: "resolved",
      message: `${kid}: key version is disabled`,
    });
    const fields = `accountId=${accountId} check=KeyVersionDisabled severity=critical vault=contoso-cmk keyName=batch-cmk version=0123456789abcdef0123456789abcdef remedy=${disabled.remedy}`;
    expect(log.lines).toEqual([
      {
        level: "warn",
        line: `alert raised: KeyVersionDisabled: ${kid}: key version is disabled ${fields}`,
      },
      {
        level: "info",
        line: `alert resolved: KeyVersionDisabled: ${kid}: key version is disabled ${fields}`,
      },
    ]);
  });

  it("fit the real clients' types", () => {
    expect([telemetryClientFits, publisherFits]).toEqual([true, true]);
  });
});
