/**
 * Key Vault key identifiers: parse, canonicalise and compare them, and decide which hosts may
 * receive our credential.
 */

export type Cloud = "public" | "china" | "usgov";

/** The Key Vault DNS suffix of each cloud; a vault is always `<name>.<suffix>`. */
export const keyVaultSuffixes: Readonly<Record<Cloud, string>> = {
  public: "vault.azure.net",
  china: "vault.azure.cn",
  usgov: "vault.usgovcloudapi.net",
};

const managedHsmSuffixes = [
  "managedhsm.azure.net",
  "managedhsm.azure.cn",
  "managedhsm.usgovcloudapi.net",
];

/** Vault names are 3-24 characters: letters, digits and dashes, starting with a letter. */
const vaultNamePattern = /^[a-z][a-z0-9-]{1,22}[a-z0-9]$/;
/** Key names are 1-127 characters: letters, digits and dashes. */
const keyNamePattern = /^[a-z0-9-]{1,127}$/i;
/** Versions are 32 hexadecimal characters. */
const versionPattern = /^[0-9a-f]{32}$/i;

export interface KeyId {
  /** Canonical vault URL: `https://<vault>.<suffix>`, lower case, no port, no trailing slash. */
  readonly vaultUrl: string;
  /** Vault name, lower case. */
  readonly vaultName: string;
  /** Key name as written (Key Vault compares names case-insensitively). */
  readonly name: string;
  /** Version, lower case, or undefined for a versionless identifier. */
  readonly version: string | undefined;
  /** Canonical identifier: `<vaultUrl>/keys/<name>[/<version>]`. */
  readonly kid: string;
}

export class KeyIdError extends Error {
  override readonly name = "KeyIdError";
}

export interface ParseKeyIdOptions {
  readonly cloud: Cloud;
  /** When true a versionless identifier is refused. */
  readonly requireVersion?: boolean;
}

/**
 * Parses a Key Vault key identifier, checking one thing per step, and throws a `KeyIdError` that
 * says which part was wrong. Only `https://<vault>.<cloud suffix>[:443]/keys/<name>[/<version>]`
 * is accepted: any other host, port, collection, userinfo, query or fragment is refused, so a
 * parsed id is always safe to send our credential to.
 */
export function parseKeyId(raw: unknown, options: ParseKeyIdOptions): KeyId {
  if (typeof raw !== "string" || raw.trim() === "") {
    throw new KeyIdError("key id is empty or not a string");
  }
  const text = raw.trim();
  if (/[\s\\]/.test(text)) {
    throw new KeyIdError("key id contains whitespace or a backslash");
  }

  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new KeyIdError("key id is not a URL");
  }
  if (url.protocol !== "https:") {
    throw new KeyIdError(`key id must use https, found ${url.protocol.replace(/:$/, "")}`);
  }
  if (url.username !== "" || url.password !== "" || /^https:\/\/[^/]*@/i.test(text)) {
    throw new KeyIdError("key id must not carry user information");
  }
  if (url.port !== "" && url.port !== "443") {
    throw new KeyIdError(`key id must not name a port other than 443, found ${url.port}`);
  }
  if (url.search !== "" || url.hash !== "" || /[?#]/.test(text)) {
    throw new KeyIdError("key id must not carry a query or fragment");
  }
  // The URL parser forgives `https:host`, percent-escapes and full-width look-alikes in the host,
  // while the path checks below read the text as written: accept only the plain form.
  const writtenHost = /^https:\/\/([^/?#:]*)/i.exec(text)?.[1]?.toLowerCase();
  if (writtenHost !== url.hostname) {
    throw new KeyIdError("key id must be written as https://<host>/... with a plain host name");
  }

  const host = url.hostname.toLowerCase();
  const vaultName = vaultNameOf(host, options.cloud);

  // The URL parser resolves `..` and `%2e%2e`, so inspect the path as written as well.
  const rawPath = text.replace(/^https:\/\/[^/]*/i, "");
  if (/%2e|%2f|%5c|\/\.\.?(\/|$)/i.test(rawPath)) {
    throw new KeyIdError("key id path must not contain dot segments or encoded separators");
  }
  const segments = rawPath.replace(/\/$/, "").split("/").slice(1);
  if (segments.some((segment) => segment === "")) {
    throw new KeyIdError("key id path has an empty segment");
  }
  const [collection, name, version, ...extra] = segments;
  if (collection?.toLowerCase() !== "keys") {
    throw new KeyIdError(`key id must name the keys collection, found '${collection ?? ""}'`);
  }
  if (name === undefined || !keyNamePattern.test(name)) {
    throw new KeyIdError(`key id has no valid key name, found '${name ?? ""}'`);
  }
  if (extra.length > 0) {
    throw new KeyIdError("key id has segments after the version");
  }
  if (version === undefined) {
    if (options.requireVersion) {
      throw new KeyIdError("key id has no version");
    }
  } else if (!versionPattern.test(version)) {
    throw new KeyIdError("key id version is not 32 hexadecimal characters");
  }

  return toKeyId(`https://${host}`, vaultName, name, version?.toLowerCase());
}

/** Builds a canonical key id from parts already known to be valid. */
export function toKeyId(
  vaultUrl: string,
  vaultName: string,
  name: string,
  version: string | undefined,
): KeyId {
  const base = `${vaultUrl}/keys/${name}`;
  return { vaultUrl, vaultName, name, version, kid: version ? `${base}/${version}` : base };
}

/** Same vault and key name, ignoring letter case and version. */
export function sameKey(a: KeyId, b: KeyId): boolean {
  return a.vaultUrl === b.vaultUrl && a.name.toLowerCase() === b.name.toLowerCase();
}

/** A stable lower-case identity of a key (vault and name), for maps and cache keys. */
export function keyRef(id: Pick<KeyId, "vaultUrl" | "name">): string {
  return `${id.vaultUrl}/keys/${id.name.toLowerCase()}`;
}

/** True when a host is a Key Vault host of the cloud; false for Managed HSM and anything else. */
export function isTrustedVaultHost(host: string, cloud: Cloud): boolean {
  try {
    vaultNameOf(host.toLowerCase(), cloud);
    return true;
  } catch {
    return false;
  }
}

function vaultNameOf(host: string, cloud: Cloud): string {
  if (managedHsmSuffixes.some((suffix) => host.endsWith(`.${suffix}`))) {
    throw new KeyIdError("Managed HSM keys are not supported for Batch accounts");
  }
  const suffix = keyVaultSuffixes[cloud];
  if (!host.endsWith(`.${suffix}`)) {
    throw new KeyIdError(`key id host '${host}' is not a Key Vault host of the ${cloud} cloud`);
  }
  const vaultName = host.slice(0, -(suffix.length + 1));
  if (!vaultNamePattern.test(vaultName) || vaultName.includes("--")) {
    throw new KeyIdError(`key id host '${host}' does not start with a valid vault name`);
  }
  return vaultName;
}
