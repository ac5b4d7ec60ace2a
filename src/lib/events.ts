/**
 * Key Vault event deliveries, in whatever shape Azure hands them in, turned into typed events or
 * clear rejections. Nothing here calls Azure: an accepted key event names a key on a trusted Key
 * Vault host of the configured cloud, so it is safe to act on.
 */
import { type Cloud, type KeyId, KeyIdError, parseKeyId } from "./keyId";

export const keyEventTypes = [
  "Microsoft.KeyVault.KeyNewVersionCreated",
  "Microsoft.KeyVault.KeyNearExpiry",
  "Microsoft.KeyVault.KeyExpired",
] as const;
export type KeyEventType = (typeof keyEventTypes)[number];

const vaultPolicyEventType = "Microsoft.KeyVault.VaultAccessPolicyChanged";

export interface KeyEvent {
  readonly kind: "key";
  readonly id: string;
  readonly type: KeyEventType;
  /** Versioned, canonical. */
  readonly key: KeyId;
  /** The vault's ARM id, from `topic` or `source`. */
  readonly vaultId: string;
  /** Lower case. */
  readonly vaultName: string;
  readonly subject: string | undefined;
  readonly eventTime: Date | undefined;
  readonly notBefore: Date | undefined;
  readonly expiresOn: Date | undefined;
}

export interface VaultPolicyEvent {
  readonly kind: "vault-policy";
  readonly id: string;
  readonly type: typeof vaultPolicyEventType;
  readonly vaultId: string;
  /** Lower case. */
  readonly vaultName: string;
  readonly eventTime: Date | undefined;
}

/** Not ours to handle (secret, certificate and other events): acknowledged and logged at debug. */
export interface IgnoredEvent {
  readonly kind: "ignored";
  readonly id: string | undefined;
  readonly type: string;
  readonly reason: string;
}

/** Malformed or untrusted: `reason` is the one log line that names what was wrong. */
export interface RejectedEvent {
  readonly kind: "rejected";
  readonly id: string | undefined;
  readonly type: string | undefined;
  readonly reason: string;
}

export type DeliveredEvent = KeyEvent | VaultPolicyEvent | IgnoredEvent | RejectedEvent;

export interface EventOptions {
  readonly cloud: Cloud;
  /** Lower-case vault names; empty means any vault of the cloud. */
  readonly vaultAllowlist: readonly string[];
  /** Most events accepted in one delivery; default 5000. */
  readonly maxEvents?: number;
}

const defaultMaxEvents = 5000;
/** Longest piece of input repeated in a reason, so a hostile delivery cannot flood the log. */
const maxEcho = 120;
/** Key ids are short; anything much longer is not worth parsing. */
const maxKeyIdLength = 2048;
/** Event ids are GUIDs in practice; a generous bound keeps ledger and log entries small. */
const maxIdLength = 256;
/** 9999-12-31T23:59:59Z, the last second a `Date` in an ISO string can show with four digits. */
const maxEpochSeconds = 253_402_300_799;

const guid = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const vaultIdPattern = new RegExp(
  `^/subscriptions/${guid}/resourceGroups/[-\\w.()]{1,90}` +
    "/providers/Microsoft\\.KeyVault/vaults/([^/]+)$",
  "i",
);
const vaultNamePattern = /^[a-z][a-z0-9-]{1,22}[a-z0-9]$/i;
const isoTimePattern =
  /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;
const epochPattern = /^-?\d+(?:\.\d+)?$/;

/** Normalises one event or an array of events, as the Event Grid trigger hands them in. */
export function normaliseDelivery(body: unknown, options: EventOptions): DeliveredEvent[] {
  const maxEvents = options.maxEvents ?? defaultMaxEvents;
  if (body === undefined || body === null || body === "") {
    return [rejectDelivery("delivery is empty")];
  }
  if (Array.isArray(body)) {
    if (body.length === 0) return [rejectDelivery("delivery is an empty array")];
    if (body.length > maxEvents) {
      return [
        rejectDelivery(`delivery has ${body.length} events, more than the limit of ${maxEvents}`),
      ];
    }
    return body.map((item) => normaliseEvent(item, options));
  }
  if (!isRecord(body)) {
    return [
      rejectDelivery(
        `delivery must be an event object or an array of events, found ${describe(body)}`,
      ),
    ];
  }
  return [normaliseEvent(body, options)];
}

/** Normalises the text of a delivery (a replayed or dead-lettered file, a request body). */
export function parseDeliveryText(text: string, options: EventOptions): DeliveredEvent[] {
  // Files saved on Windows often start with a byte order mark, which JSON.parse refuses.
  const trimmed = text.replace(/^\uFEFF/, "").trim();
  if (trimmed === "") return [rejectDelivery("delivery is empty")];
  let body: unknown;
  try {
    body = JSON.parse(trimmed);
  } catch {
    // The parser's own message can quote much of the input; a short opening is enough to see it.
    return [rejectDelivery(`delivery is not JSON, it starts with ${quote(trimmed.slice(0, 40))}`)];
  }
  return normaliseDelivery(body, options);
}

/** Thrown inside the parse steps of one event and turned into a `RejectedEvent` at the top. */
class Rejection extends Error {}

function normaliseEvent(raw: unknown, options: EventOptions): DeliveredEvent {
  // Kept outside the steps so that a rejection can still name the event it belongs to.
  let id: unknown;
  let type: string | undefined;
  try {
    if (!isRecord(raw)) throw new Rejection(`event must be an object, found ${describe(raw)}`);
    id = raw.id;
    checkSpecVersion(raw);

    const eventType = eitherField(raw, "eventType", "type");
    if (eventType === undefined) {
      throw new Rejection("event has no eventType (or CloudEvents type)");
    }
    type = eventType;

    const keyType = keyEventTypes.find((known) => sameText(known, eventType));
    if (keyType !== undefined) return toKeyEvent(raw, keyType, options);
    if (sameText(vaultPolicyEventType, eventType)) return toVaultPolicyEvent(raw, options);
    return {
      kind: "ignored",
      id: idForLog(id),
      type: cap(eventType),
      reason: `event type ${quote(eventType)} is not a Key Vault key or access policy event`,
    };
  } catch (error) {
    if (!(error instanceof Rejection)) throw error;
    return {
      kind: "rejected",
      id: idForLog(id),
      type: type === undefined ? undefined : cap(type),
      reason: error.message,
    };
  }
}

function toKeyEvent(
  raw: Readonly<Record<string, unknown>>,
  type: KeyEventType,
  options: EventOptions,
): KeyEvent {
  const id = eventId(raw);
  const vault = topicVault(raw);
  const data = readData(raw);
  const dataVaultName = vaultNameField(data, vault.name);

  const rawKeyId = dataString(data, "Id");
  if (rawKeyId === undefined) throw new Rejection("data.Id is missing");
  if (rawKeyId.length > maxKeyIdLength) {
    throw new Rejection(`data.Id is ${rawKeyId.length} characters long, too long for a key id`);
  }
  const key = parseEventKeyId(rawKeyId, options.cloud);
  if (key.vaultName !== vault.name) {
    throw new Rejection(
      `data.Id names vault '${key.vaultName}' but the event comes from vault '${vault.name}'`,
    );
  }
  checkAllowed(vault.name, options);
  checkKeyFields(data, key);

  return {
    kind: "key",
    id,
    type,
    key,
    vaultId: vault.id,
    vaultName: dataVaultName,
    subject: optionalString(raw, "subject"),
    eventTime: eventTime(raw),
    notBefore: epochField(data, "NBF"),
    expiresOn: epochField(data, "EXP"),
  };
}

function toVaultPolicyEvent(
  raw: Readonly<Record<string, unknown>>,
  options: EventOptions,
): VaultPolicyEvent {
  const id = eventId(raw);
  const vault = topicVault(raw);
  const data = readData(raw);
  const vaultName = vaultNameField(data, vault.name);
  checkAllowed(vault.name, options);
  return {
    kind: "vault-policy",
    id,
    type: vaultPolicyEventType,
    vaultId: vault.id,
    vaultName,
    eventTime: eventTime(raw),
  };
}

/**
 * CloudEvents deliveries carry `specversion`; only 1.0 is defined for Event Grid. An event
 * without it is read by its field names alone: the Functions trigger hands both shapes in as one.
 */
function checkSpecVersion(raw: Readonly<Record<string, unknown>>): void {
  if (!("specversion" in raw)) return;
  const found = raw.specversion;
  if (typeof found !== "string" || found.trim() !== "1.0") {
    throw new Rejection(`CloudEvents specversion must be '1.0', found ${describe(found)}`);
  }
}

function eventId(raw: Readonly<Record<string, unknown>>): string {
  const id = raw.id;
  if (id === undefined) throw new Rejection("event has no id");
  if (typeof id !== "string") throw new Rejection(`event id must be a string, found ${typeOf(id)}`);
  if (id.trim() === "") throw new Rejection("event id is empty");
  if (id.length > maxIdLength) {
    throw new Rejection(`event id is ${id.length} characters long, more than ${maxIdLength}`);
  }
  return id.trim();
}

function topicVault(raw: Readonly<Record<string, unknown>>): { id: string; name: string } {
  const topic = eitherField(raw, "topic", "source");
  if (topic === undefined) throw new Rejection("event has no topic (or CloudEvents source)");
  const name = vaultIdPattern.exec(topic)?.[1];
  if (name === undefined) {
    throw new Rejection(
      `topic must be a Key Vault ARM id ` +
        `(/subscriptions/<guid>/resourceGroups/<rg>/providers/Microsoft.KeyVault/vaults/<name>), ` +
        `found ${quote(topic)}`,
    );
  }
  if (!vaultNamePattern.test(name) || name.includes("--")) {
    throw new Rejection(`topic names an invalid vault name ${quote(name)}`);
  }
  return { id: topic, name: name.toLowerCase() };
}

/** `VaultName` must be present and name the vault of the topic. */
function vaultNameField(data: DataFields, topicVaultName: string): string {
  const vaultName = dataString(data, "VaultName");
  if (vaultName === undefined) throw new Rejection("data.VaultName is missing");
  if (vaultName.toLowerCase() !== topicVaultName) {
    throw new Rejection(
      `data.VaultName ${quote(vaultName)} does not match vault '${topicVaultName}' of the topic`,
    );
  }
  return topicVaultName;
}

function checkAllowed(vaultName: string, options: EventOptions): void {
  const allowlist = options.vaultAllowlist;
  if (allowlist.length > 0 && !allowlist.some((allowed) => allowed.toLowerCase() === vaultName)) {
    throw new Rejection(`vault '${vaultName}' is not on the vault allowlist`);
  }
}

function parseEventKeyId(rawKeyId: string, cloud: Cloud): KeyId {
  try {
    return parseKeyId(rawKeyId, { cloud, requireVersion: true });
  } catch (error) {
    if (!(error instanceof KeyIdError)) throw error;
    // Key id messages quote parts of the id, which can be long: keep the reason one short line.
    throw new Rejection(`data.Id: ${cap(error.message, 200)}`);
  }
}

/** `Version`, `ObjectName` and `ObjectType`, when present, must agree with the key id. */
function checkKeyFields(data: DataFields, key: KeyId): void {
  const version = dataString(data, "Version");
  if (version !== undefined && version.toLowerCase() !== key.version) {
    throw new Rejection(
      `data.Version ${quote(version)} does not match version '${key.version}' of data.Id`,
    );
  }
  const objectName = dataString(data, "ObjectName");
  if (objectName !== undefined && objectName.toLowerCase() !== key.name.toLowerCase()) {
    throw new Rejection(
      `data.ObjectName ${quote(objectName)} does not match key '${key.name}' of data.Id`,
    );
  }
  const objectType = dataString(data, "ObjectType");
  if (objectType !== undefined && objectType.toLowerCase() !== "key") {
    throw new Rejection(
      `data.ObjectType must be 'Key' for a key event, found ${quote(objectType)}`,
    );
  }
}

function eventTime(raw: Readonly<Record<string, unknown>>): Date | undefined {
  const text = eitherField(raw, "eventTime", "time");
  if (text === undefined) return undefined;
  const time = isoTimePattern.test(text) ? new Date(text) : undefined;
  if (time === undefined || Number.isNaN(time.getTime())) {
    throw new Rejection(`eventTime is not an ISO 8601 time, found ${quote(text)}`);
  }
  return time;
}

/** NBF and EXP are epoch seconds, sent as numbers, numeric strings or null. */
function epochField(data: DataFields, name: "NBF" | "EXP"): Date | undefined {
  const value = data.get(name.toLowerCase());
  if (value === undefined || value === null) return undefined;
  const trimmed = typeof value === "string" ? value.trim() : value;
  if (trimmed === "") return undefined;

  const seconds =
    typeof trimmed === "number"
      ? trimmed
      : typeof trimmed === "string" && epochPattern.test(trimmed)
        ? Number(trimmed)
        : undefined;
  if (seconds === undefined) {
    throw new Rejection(
      `data.${name} must be epoch seconds (a number, a numeric string or null), ` +
        `found ${describe(value)}`,
    );
  }
  if (!Number.isFinite(seconds)) {
    throw new Rejection(
      `data.${name} must be a finite number of seconds, found ${describe(value)}`,
    );
  }
  if (seconds < 0) {
    throw new Rejection(`data.${name} must not be negative, found ${describe(value)}`);
  }
  if (seconds > maxEpochSeconds) {
    throw new Rejection(`data.${name} is beyond the year 9999, found ${describe(value)}`);
  }
  return new Date(Math.round(seconds * 1000));
}

/** Data fields by lower-case, trimmed name; string values trimmed. */
type DataFields = ReadonlyMap<string, unknown>;

/**
 * Reads `data` case-insensitively: the wire has PascalCase, an old portal sample sent camelCase
 * with stray spaces, and `@azure/eventgrid` types it camelCase without converting anything.
 */
function readData(raw: Readonly<Record<string, unknown>>): DataFields {
  const data = raw.data;
  if (data === undefined || data === null) throw new Rejection("event has no data");
  if (!isRecord(data)) throw new Rejection(`data must be an object, found ${typeOf(data)}`);

  const fields = new Map<string, unknown>();
  const spelling = new Map<string, string>();
  for (const [name, rawValue] of Object.entries(data)) {
    const key = name.trim().toLowerCase();
    const value = typeof rawValue === "string" ? rawValue.trim() : rawValue;
    const earlier = spelling.get(key);
    if (earlier !== undefined) {
      if (!sameValue(fields.get(key), value)) {
        throw new Rejection(
          `data fields ${quote(earlier)} and ${quote(name)} differ only by letter case ` +
            `but hold different values, which is ambiguous`,
        );
      }
      continue;
    }
    spelling.set(key, name);
    fields.set(key, value);
  }
  return fields;
}

/** A data field that must be a string when present; an empty string counts as absent. */
function dataString(data: DataFields, name: string): string | undefined {
  const value = data.get(name.toLowerCase());
  if (value === undefined || value === null || value === "") return undefined;
  if (typeof value !== "string") {
    throw new Rejection(`data.${name} must be a string, found ${typeOf(value)}`);
  }
  return value;
}

/** An envelope field under either of its names (Event Grid schema, CloudEvents 1.0). */
function eitherField(
  raw: Readonly<Record<string, unknown>>,
  eventGridName: string,
  cloudEventsName: string,
): string | undefined {
  const first = optionalString(raw, eventGridName);
  const second = optionalString(raw, cloudEventsName);
  if (first !== undefined && second !== undefined && first !== second) {
    throw new Rejection(
      `event has both ${eventGridName} and ${cloudEventsName} with different values`,
    );
  }
  return first ?? second;
}

function optionalString(raw: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = raw[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") {
    throw new Rejection(`event ${name} must be a string, found ${typeOf(value)}`);
  }
  const trimmed = value.trim();
  if (trimmed === "") throw new Rejection(`event ${name} is empty`);
  return trimmed;
}

/** The event id, when there is one, short enough for a log line. */
function idForLog(id: unknown): string | undefined {
  return typeof id === "string" && id.trim() !== "" ? cap(id.trim()) : undefined;
}

function rejectDelivery(reason: string): RejectedEvent {
  return { kind: "rejected", id: undefined, type: undefined, reason };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function sameText(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === "string" && typeof b === "string") return a === b;
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}

/** The type of a value, and the value itself when it is short enough to be worth showing. */
function describe(value: unknown): string {
  if (typeof value === "string") return `a string ${quote(value)}`;
  if (typeof value === "number" || typeof value === "boolean") return `${typeOf(value)} ${value}`;
  return typeOf(value);
}

/** Quotes a value for a reason: control characters escaped, at most `maxEcho` characters. */
function quote(value: string): string {
  return `'${cap(value)}'`;
}

function cap(value: string, limit = maxEcho): string {
  const escaped = JSON.stringify(value).slice(1, -1);
  return escaped.length > limit ? `${escaped.slice(0, limit - 3)}...` : escaped;
}
