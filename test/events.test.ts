import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  type DeliveredEvent,
  type EventOptions,
  keyEventTypes,
  normaliseDelivery,
  parseDeliveryText,
} from "../src/lib/events";

const subscription = "6b9d4c38-6c7e-4d1a-9a3f-2a5c3e1f0b7d";
const vaultId =
  `/subscriptions/${subscription}/resourceGroups/rg-keys` +
  "/providers/Microsoft.KeyVault/vaults/contoso-kv";
const version = "4f3e2d1c0b9a48879685a4b3c2d1e0f9";
const kid = `https://contoso-kv.vault.azure.net/keys/batch-cmk/${version}`;
const publicCloud: EventOptions = { cloud: "public", vaultAllowlist: [] };

type Json = Record<string, unknown>;

/** The `data` both schemas carry for the key's new version. */
function keyData(data: Json): Json {
  return {
    Id: kid,
    VaultName: "contoso-kv",
    ObjectType: "Key",
    ObjectName: "batch-cmk",
    Version: version,
    NBF: null,
    EXP: 1767225600,
    ...data,
  };
}

/** A key event as Event Grid delivers it in its own schema. */
function eventGridEvent(overrides: Json = {}, data: Json = {}): Json {
  return {
    id: "0c3bd0fb-2f3b-4a4e-9a0b-6a1b2c3d4e5f",
    topic: vaultId,
    subject: "batch-cmk",
    eventType: "Microsoft.KeyVault.KeyNewVersionCreated",
    data: keyData(data),
    dataVersion: "1",
    metadataVersion: "1",
    eventTime: "2025-06-01T08:30:00.1234567Z",
    ...overrides,
  };
}

/** The same event in the CloudEvents 1.0 schema. */
function cloudEvent(overrides: Json = {}, data: Json = {}): Json {
  return {
    specversion: "1.0",
    type: "Microsoft.KeyVault.KeyNewVersionCreated",
    source: vaultId,
    id: "0c3bd0fb-2f3b-4a4e-9a0b-6a1b2c3d4e5f",
    time: "2025-06-01T08:30:00.1234567Z",
    subject: "batch-cmk",
    data: keyData(data),
    ...overrides,
  };
}

const acceptedKeyEvent = {
  kind: "key",
  id: "0c3bd0fb-2f3b-4a4e-9a0b-6a1b2c3d4e5f",
  type: "Microsoft.KeyVault.KeyNewVersionCreated",
  key: {
    vaultUrl: "https://contoso-kv.vault.azure.net",
    vaultName: "contoso-kv",
    name: "batch-cmk",
    version,
    kid,
  },
  vaultId,
  vaultName: "contoso-kv",
  subject: "batch-cmk",
  eventTime: new Date("2025-06-01T08:30:00.123Z"),
  notBefore: undefined,
  expiresOn: new Date("2026-01-01T00:00:00Z"),
};

function one(body: unknown, options: EventOptions = publicCloud): DeliveredEvent {
  const events = normaliseDelivery(body, options);
  expect(events).toHaveLength(1);
  return events[0] as DeliveredEvent;
}

function reason(body: unknown, options: EventOptions = publicCloud): string {
  const event = one(body, options);
  expect(event.kind).toBe("rejected");
  return event.kind === "rejected" ? event.reason : "";
}

describe("normaliseDelivery of well-formed key events", () => {
  it("accepts a key event in the Event Grid schema", () => {
    expect(normaliseDelivery(eventGridEvent(), publicCloud)).toEqual([acceptedKeyEvent]);
  });

  it("accepts the same key event in the CloudEvents 1.0 schema", () => {
    expect(normaliseDelivery(cloudEvent(), publicCloud)).toEqual([acceptedKeyEvent]);
  });

  it("accepts a CloudEvents-shaped event without specversion, as the trigger may pass it", () => {
    const { specversion: _dropped, ...event } = cloudEvent();
    expect(one(event)).toEqual(acceptedKeyEvent);
  });

  it("accepts an array of events and keeps their order", () => {
    const second = eventGridEvent({ id: "second" });
    expect(normaliseDelivery([eventGridEvent(), second], publicCloud)).toEqual([
      acceptedKeyEvent,
      { ...acceptedKeyEvent, id: "second" },
    ]);
  });

  it.each(keyEventTypes.map((type) => [type]))("accepts a %s event", (type) => {
    expect(one(eventGridEvent({ eventType: type }))).toEqual({ ...acceptedKeyEvent, type });
  });

  it("matches the event type whatever its letter case and returns the canonical spelling", () => {
    expect(one(eventGridEvent({ eventType: "microsoft.keyvault.keynearexpiry" }))).toMatchObject({
      kind: "key",
      type: "Microsoft.KeyVault.KeyNearExpiry",
    });
  });

  it("canonicalises a key id with an upper-case host, :443 and a trailing slash", () => {
    const raw = `HTTPS://CONTOSO-KV.VAULT.AZURE.NET:443/keys/batch-cmk/${version.toUpperCase()}/`;
    expect(one(eventGridEvent({}, { Id: raw }))).toEqual(acceptedKeyEvent);
  });

  it("reads the topic's vault name whatever its letter case", () => {
    const topic = vaultId.replace("contoso-kv", "Contoso-KV").toLowerCase();
    expect(one(eventGridEvent({ topic }))).toEqual({ ...acceptedKeyEvent, vaultId: topic });
  });

  it.each([
    ["China", "china", "vault.azure.cn"],
    ["US Government", "usgov", "vault.usgovcloudapi.net"],
  ] as const)(
    "accepts a key event of the %s cloud when that cloud is configured",
    (_what, cloud, suffix) => {
      const event = one(eventGridEvent({}, { Id: kid.replace("vault.azure.net", suffix) }), {
        cloud,
        vaultAllowlist: [],
      });
      expect(event).toMatchObject({
        kind: "key",
        key: { vaultUrl: `https://contoso-kv.${suffix}` },
      });
    },
  );

  it("accepts an event from a vault on the allowlist", () => {
    expect(one(eventGridEvent(), { cloud: "public", vaultAllowlist: ["contoso-kv"] })).toEqual(
      acceptedKeyEvent,
    );
  });

  it("leaves subject and times undefined when they are absent", () => {
    const { subject: _s, eventTime: _t, ...event } = eventGridEvent({}, { EXP: null });
    expect(one(event)).toEqual({
      ...acceptedKeyEvent,
      subject: undefined,
      eventTime: undefined,
      expiresOn: undefined,
    });
  });
});

describe("normaliseDelivery reads data fields case-insensitively", () => {
  it("reads camelCase data with stray spaces in names and values, like the old sample", () => {
    const data = {
      id: ` ${kid} `,
      " vaultName": "contoso-kv ",
      objectType: "Key",
      objectName: "batch-cmk",
      version,
      nbf: "1735689600",
      exp: " 1767225600 ",
    };
    expect(one({ ...eventGridEvent(), data })).toEqual({
      ...acceptedKeyEvent,
      notBefore: new Date("2025-01-01T00:00:00Z"),
    });
  });

  it("reads upper-case data field names", () => {
    const data = { ID: kid, VAULTNAME: "CONTOSO-KV", VERSION: version.toUpperCase() };
    expect(one({ ...eventGridEvent(), data })).toEqual({
      ...acceptedKeyEvent,
      expiresOn: undefined,
    });
  });

  it("accepts a field sent twice in different letter case when both hold the same value", () => {
    expect(one(eventGridEvent({}, { id: kid }))).toEqual(acceptedKeyEvent);
  });

  it("rejects a field sent twice in different case with different values as ambiguous", () => {
    const other = kid.replace("batch-cmk", "other-key");
    expect(reason(eventGridEvent({}, { id: other }))).toBe(
      "data fields 'Id' and 'id' differ only by letter case " +
        "but hold different values, which is ambiguous",
    );
  });
});

describe("normaliseDelivery reads NBF and EXP as epoch seconds", () => {
  it.each([
    ["a number", 1767225600, new Date("2026-01-01T00:00:00Z")],
    ["a numeric string", "1767225600", new Date("2026-01-01T00:00:00Z")],
    ["a numeric string with spaces", " 1767225600 ", new Date("2026-01-01T00:00:00Z")],
    ["a fractional number", 1767225600.5, new Date("2026-01-01T00:00:00.500Z")],
    ["zero", 0, new Date(0)],
    ["null", null, undefined],
    ["an empty string", "", undefined],
    ["the last second of the year 9999", 253402300799, new Date("9999-12-31T23:59:59Z")],
  ])("accepts EXP as %s", (_what, exp, expiresOn) => {
    expect(one(eventGridEvent({}, { EXP: exp }))).toEqual({ ...acceptedKeyEvent, expiresOn });
  });

  it.each([
    ["negative", -1, "data.EXP must not be negative, found a number -1"],
    ["a negative string", "-60", "data.EXP must not be negative, found a string '-60'"],
    [
      "beyond the year 9999",
      253402300800,
      "data.EXP is beyond the year 9999, found a number 253402300800",
    ],
    [
      "not a number",
      "soon",
      "data.EXP must be epoch seconds (a number, a numeric string or null), found a string 'soon'",
    ],
    [
      "in exponent notation",
      "1e9",
      "data.EXP must be epoch seconds (a number, a numeric string or null), found a string '1e9'",
    ],
    [
      "a boolean",
      true,
      "data.EXP must be epoch seconds (a number, a numeric string or null), found a boolean true",
    ],
    [
      "an object",
      { seconds: 1 },
      "data.EXP must be epoch seconds (a number, a numeric string or null), found an object",
    ],
    [
      "a date string",
      "2026-01-01T00:00:00Z",
      "data.EXP must be epoch seconds (a number, a numeric string or null), " +
        "found a string '2026-01-01T00:00:00Z'",
    ],
    [
      "too many digits to be finite",
      "9".repeat(400),
      "data.EXP must be a finite number of seconds, found a string '",
    ],
  ])("rejects EXP that is %s", (_what, exp, message) => {
    expect(reason(eventGridEvent({}, { EXP: exp }))).toContain(message);
  });

  it("names NBF when it is the wrong one", () => {
    expect(reason(eventGridEvent({}, { NBF: "yesterday" }))).toBe(
      "data.NBF must be epoch seconds (a number, a numeric string or null), " +
        "found a string 'yesterday'",
    );
  });
});

describe("normaliseDelivery rejects key events that cannot be trusted", () => {
  it.each([
    [
      "a look-alike host",
      kid.replace("vault.azure.net", "vault.azure.net.evil.com"),
      "is not a Key Vault host of the public cloud",
    ],
    ["http", kid.replace("https:", "http:"), "data.Id: key id must use https, found http"],
    [
      "a secret",
      kid.replace("/keys/", "/secrets/"),
      "data.Id: key id must name the keys collection, found 'secrets'",
    ],
    ["no version", kid.replace(`/${version}`, ""), "data.Id: key id has no version"],
    [
      "a Managed HSM",
      kid.replace("vault.azure.net", "managedhsm.azure.net"),
      "data.Id: Managed HSM keys are not supported for Batch accounts",
    ],
  ])("rejects a key id with %s", (_what, id, message) => {
    expect(reason(eventGridEvent({}, { Id: id }))).toContain(message);
  });

  it("rejects a key id in another vault than the topic's", () => {
    expect(reason(eventGridEvent({}, { Id: kid.replace("contoso-kv", "fabrikam-kv") }))).toBe(
      "data.Id names vault 'fabrikam-kv' but the event comes from vault 'contoso-kv'",
    );
  });

  it("rejects a VaultName that differs from the topic's vault", () => {
    expect(reason(eventGridEvent({}, { VaultName: "fabrikam-kv" }))).toBe(
      "data.VaultName 'fabrikam-kv' does not match vault 'contoso-kv' of the topic",
    );
  });

  it("rejects a Version that differs from the key id's", () => {
    expect(reason(eventGridEvent({}, { Version: "0".repeat(32) }))).toBe(
      `data.Version '${"0".repeat(32)}' does not match version '${version}' of data.Id`,
    );
  });

  it("rejects an ObjectName that differs from the key id's name", () => {
    expect(reason(eventGridEvent({}, { ObjectName: "other-key" }))).toBe(
      "data.ObjectName 'other-key' does not match key 'batch-cmk' of data.Id",
    );
  });

  it("rejects an ObjectType other than Key", () => {
    expect(reason(eventGridEvent({}, { ObjectType: "Secret" }))).toBe(
      "data.ObjectType must be 'Key' for a key event, found 'Secret'",
    );
  });

  it("rejects an event from a vault that is not on the allowlist", () => {
    const options = { cloud: "public", vaultAllowlist: ["fabrikam-kv"] } as const;
    expect(reason(eventGridEvent(), options)).toBe(
      "vault 'contoso-kv' is not on the vault allowlist",
    );
  });

  it("rejects a public-cloud key when the China cloud is configured", () => {
    expect(reason(eventGridEvent(), { cloud: "china", vaultAllowlist: [] })).toBe(
      "data.Id: key id host 'contoso-kv.vault.azure.net' " +
        "is not a Key Vault host of the china cloud",
    );
  });

  it.each([
    [
      "a vault of another provider",
      vaultId.replace("Microsoft.KeyVault/vaults", "Microsoft.Storage/storageAccounts"),
    ],
    ["a placeholder subscription", vaultId.replace(subscription, "{subscription-id}")],
    ["a trailing slash", `${vaultId}/`],
    ["a child resource", `${vaultId}/keys/batch-cmk`],
    ["a URL", "https://contoso-kv.vault.azure.net"],
  ])("rejects a topic that is %s", (_what, topic) => {
    expect(reason(eventGridEvent({ topic }))).toContain("topic must be a Key Vault ARM id");
  });
});

describe("normaliseDelivery rejects malformed envelopes, naming the field", () => {
  it.each([
    ["no id", { id: undefined }, "event has no id"],
    ["a numeric id", { id: 7 }, "event id must be a string, found a number"],
    ["an empty id", { id: " " }, "event id is empty"],
    ["no topic", { topic: undefined }, "event has no topic (or CloudEvents source)"],
    ["a topic that is an object", { topic: {} }, "event topic must be a string, found an object"],
    ["no data", { data: undefined }, "event has no data"],
    ["data that is a string", { data: "{}" }, "data must be an object, found a string"],
    ["data that is an array", { data: [] }, "data must be an object, found an array"],
    [
      "a subject that is a number",
      { subject: 1 },
      "event subject must be a string, found a number",
    ],
    [
      "an eventTime that is not a time",
      { eventTime: "yesterday" },
      "eventTime is not an ISO 8601 time, found 'yesterday'",
    ],
    ["no event type", { eventType: undefined }, "event has no eventType (or CloudEvents type)"],
    [
      "both topic and source, disagreeing",
      { source: vaultId.replace("contoso-kv", "fabrikam-kv") },
      "event has both topic and source with different values",
    ],
  ])("rejects an event with %s", (_what, overrides, message) => {
    expect(reason(eventGridEvent(overrides))).toBe(message);
  });

  it.each([
    ["no Id", { Id: undefined }, "data.Id is missing"],
    ["a numeric Id", { Id: 5 }, "data.Id must be a string, found a number"],
    ["no VaultName", { VaultName: undefined }, "data.VaultName is missing"],
    [
      "a VaultName that is an array",
      { VaultName: ["contoso-kv"] },
      "data.VaultName must be a string, found an array",
    ],
  ])("rejects data with %s", (_what, data, message) => {
    expect(reason(eventGridEvent({}, data))).toBe(message);
  });

  it("names the event it rejects", () => {
    expect(one(eventGridEvent({}, { Id: 5 }))).toEqual({
      kind: "rejected",
      id: "0c3bd0fb-2f3b-4a4e-9a0b-6a1b2c3d4e5f",
      type: "Microsoft.KeyVault.KeyNewVersionCreated",
      reason: "data.Id must be a string, found a number",
    });
  });

  it.each([
    ["0.3", "a string '0.3'"],
    ["2.0", "a string '2.0'"],
    [1, "a number 1"],
  ])("rejects CloudEvents with specversion %s, naming what it found", (specversion, found) => {
    expect(reason(cloudEvent({ specversion }))).toBe(
      `CloudEvents specversion must be '1.0', found ${found}`,
    );
  });

  it("rejects one bad event of an array and keeps the good ones", () => {
    const events = normaliseDelivery(
      [eventGridEvent(), 42, eventGridEvent({ id: "b" })],
      publicCloud,
    );
    expect(events.map((event) => event.kind)).toEqual(["key", "rejected", "key"]);
  });
});

describe("normaliseDelivery of whole deliveries", () => {
  it.each([
    ["undefined", undefined, "delivery is empty"],
    ["null", null, "delivery is empty"],
    ["an empty string", "", "delivery is empty"],
    ["an empty array", [], "delivery is an empty array"],
    ["a number", 12, "delivery must be an event object or an array of events, found a number 12"],
    [
      "a string",
      "event",
      "delivery must be an event object or an array of events, found a string 'event'",
    ],
  ])("rejects a delivery that is %s as one entry", (_what, body, message) => {
    expect(normaliseDelivery(body, publicCloud)).toEqual([
      { kind: "rejected", id: undefined, type: undefined, reason: message },
    ]);
  });

  it("rejects a delivery of more events than the limit as one entry", () => {
    const body = Array.from({ length: 11 }, () => eventGridEvent());
    expect(normaliseDelivery(body, { ...publicCloud, maxEvents: 10 })).toEqual([
      {
        kind: "rejected",
        id: undefined,
        type: undefined,
        reason: "delivery has 11 events, more than the limit of 10",
      },
    ]);
  });

  it("accepts exactly the limit", () => {
    const body = Array.from({ length: 10 }, () => eventGridEvent());
    expect(normaliseDelivery(body, { ...publicCloud, maxEvents: 10 })).toHaveLength(10);
  });

  it("limits a delivery to 5000 events by default", () => {
    const body = Array.from({ length: 5001 }, () => ({}));
    expect(normaliseDelivery(body, publicCloud)).toEqual([
      expect.objectContaining({ reason: "delivery has 5001 events, more than the limit of 5000" }),
    ]);
  });
});

describe("normaliseDelivery of events that are not ours", () => {
  it.each([
    ["a secret", "Microsoft.KeyVault.SecretNewVersionCreated"],
    ["a certificate", "Microsoft.KeyVault.CertificateNearExpiry"],
    ["a storage", "Microsoft.Storage.BlobCreated"],
    ["a subscription validation", "Microsoft.EventGrid.SubscriptionValidationEvent"],
  ])("ignores %s event without checking its data", (_what, type) => {
    expect(one({ id: "x1", eventType: type, data: "anything" })).toEqual({
      kind: "ignored",
      id: "x1",
      type,
      reason: `event type '${type}' is not a Key Vault key or access policy event`,
    });
  });
});

describe("normaliseDelivery of vault access policy events", () => {
  const policyEvent = (data: Json = {}): Json => ({
    id: "9a8b7c6d",
    topic: vaultId,
    subject: "contoso-kv",
    eventType: "Microsoft.KeyVault.VaultAccessPolicyChanged",
    data: { Id: "https://contoso-kv.vault.azure.net/", VaultName: "contoso-kv", ...data },
    eventTime: "2025-06-01T08:30:00Z",
  });

  it("accepts a policy change of a vault", () => {
    expect(one(policyEvent())).toEqual({
      kind: "vault-policy",
      id: "9a8b7c6d",
      type: "Microsoft.KeyVault.VaultAccessPolicyChanged",
      vaultId,
      vaultName: "contoso-kv",
      eventTime: new Date("2025-06-01T08:30:00Z"),
    });
  });

  it.each([
    [
      "names another vault",
      { VaultName: "fabrikam-kv" },
      "data.VaultName 'fabrikam-kv' does not match vault 'contoso-kv' of the topic",
    ],
    ["has no VaultName", { VaultName: undefined }, "data.VaultName is missing"],
  ])("rejects a policy change whose data %s", (_what, data, message) => {
    expect(reason(policyEvent(data))).toBe(message);
  });

  it("rejects a policy change of a vault that is not on the allowlist", () => {
    expect(reason(policyEvent(), { cloud: "public", vaultAllowlist: ["fabrikam-kv"] })).toBe(
      "vault 'contoso-kv' is not on the vault allowlist",
    );
  });
});

describe("reasons never repeat huge inputs", () => {
  it.each([
    ["a huge key id", eventGridEvent({}, { Id: `https://${"a".repeat(5000)}` })],
    [
      "a huge key name",
      eventGridEvent(
        {},
        { Id: `https://contoso-kv.vault.azure.net/keys/${"!".repeat(1000)}/${version}` },
      ),
    ],
    ["a huge VaultName", eventGridEvent({}, { VaultName: "v".repeat(100_000) })],
    ["a huge topic", eventGridEvent({ topic: "t".repeat(100_000) })],
    ["a huge EXP", eventGridEvent({}, { EXP: "x".repeat(100_000) })],
    ["a huge event type", { id: "1", eventType: "T".repeat(100_000) }],
    ["a huge id", eventGridEvent({ id: "i".repeat(100_000) })],
  ])("keeps the reason short for %s", (_what, body) => {
    const event = one(body);
    expect(event.kind === "rejected" || event.kind === "ignored").toBe(true);
    if (event.kind === "rejected" || event.kind === "ignored") {
      expect(event.reason.length).toBeLessThan(400);
      expect((event.type ?? "").length).toBeLessThanOrEqual(120);
      expect((event.id ?? "").length).toBeLessThanOrEqual(120);
    }
  });

  it("escapes line breaks so one reason stays one log line", () => {
    expect(reason(eventGridEvent({}, { VaultName: "evil\nINFO forged line" }))).toBe(
      "data.VaultName 'evil\\nINFO forged line' does not match vault 'contoso-kv' of the topic",
    );
  });
});

describe("parseDeliveryText", () => {
  it("parses a delivery file", () => {
    expect(parseDeliveryText(JSON.stringify([eventGridEvent()]), publicCloud)).toEqual([
      acceptedKeyEvent,
    ]);
  });

  it("ignores a byte order mark and surrounding blank lines", () => {
    expect(parseDeliveryText(`\uFEFF\n${JSON.stringify(cloudEvent())}\n\n`, publicCloud)).toEqual([
      acceptedKeyEvent,
    ]);
  });

  it.each([
    ["empty", "", "delivery is empty"],
    ["only white space", " \n\t ", "delivery is empty"],
    [
      "not JSON",
      "<html>502 Bad Gateway</html>",
      "delivery is not JSON, it starts with '<html>502 Bad Gateway</html>'",
    ],
    [
      "cut short",
      '{"id": "1", "eventType":',
      `delivery is not JSON, it starts with '{\\"id\\": \\"1\\", \\"eventType\\":'`,
    ],
    ["JSON null", "null", "delivery is empty"],
  ])("rejects text that is %s as one entry", (_what, text, message) => {
    expect(parseDeliveryText(text, publicCloud)).toEqual([
      { kind: "rejected", id: undefined, type: undefined, reason: message },
    ]);
  });

  const fixtures = path.join(__dirname, "../../shared/fixtures/azure-rest-api-specs/eventgrid");
  it.each([
    ["event-grid-schema__secret_new_version_created.json"],
    ["cloud-events-schema__secret_new_version_created.json"],
    ["secret_new_version_created.json"],
  ])("ignores the published secret event sample %s", (file) => {
    const text = readFileSync(path.join(fixtures, file), "utf8");
    expect(parseDeliveryText(text, publicCloud)).toEqual([
      {
        kind: "ignored",
        id: "00eccf70-95a7-4e7c-8299-2eb17ee9ad64",
        type: "Microsoft.KeyVault.SecretNewVersionCreated",
        reason:
          "event type 'Microsoft.KeyVault.SecretNewVersionCreated' " +
          "is not a Key Vault key or access policy event",
      },
    ]);
  });

  it.each([
    ["event-grid-schema__secret_new_version_created.json"],
    ["cloud-events-schema__secret_new_version_created.json"],
  ])("accepts the published sample %s once it is turned into a key event", (file) => {
    // The published samples are for secrets, with a placeholder subscription; key events share
    // their data fields, so the same envelope with a key id and a real subscription must pass.
    const text = readFileSync(path.join(fixtures, file), "utf8")
      .replaceAll("{subscription-id}", subscription)
      .replaceAll("SecretNewVersionCreated", "KeyNewVersionCreated")
      .replaceAll("/secrets/", "/keys/")
      .replaceAll('"Secret"', '"Key"');
    expect(parseDeliveryText(text, publicCloud)).toEqual([
      {
        kind: "key",
        id: "00eccf70-95a7-4e7c-8299-2eb17ee9ad64",
        type: "Microsoft.KeyVault.KeyNewVersionCreated",
        key: {
          vaultUrl: "https://sample-kv.vault.azure.net",
          vaultName: "sample-kv",
          name: "newsecret",
          version: "ee059b2bb5bc48398a53b168c6cdcb10",
          kid: "https://sample-kv.vault.azure.net/keys/newsecret/ee059b2bb5bc48398a53b168c6cdcb10",
        },
        vaultId: vaultId.replace("rg-keys", "sample-rg").replace("contoso-kv", "sample-kv"),
        vaultName: "sample-kv",
        subject: "newsecret",
        eventTime: new Date("2019-07-25T01:08:33.103Z"),
        notBefore: new Date(1559081980 * 1000),
        expiresOn: new Date(1559082102 * 1000),
      },
    ]);
  });
});
