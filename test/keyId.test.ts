import { describe, expect, it } from "vitest";
import {
  type Cloud,
  isTrustedVaultHost,
  KeyIdError,
  keyRef,
  parseKeyId,
  sameKey,
  toKeyId,
} from "../src/lib/keyId";

const version = "4f3e2d1c0b9a48879685a4b3c2d1e0f9";
const publicCloud = { cloud: "public" } as const;

function parseError(raw: unknown, cloud: Cloud = "public", requireVersion = false): string {
  try {
    parseKeyId(raw, { cloud, requireVersion });
  } catch (error) {
    expect(error).toBeInstanceOf(KeyIdError);
    return (error as Error).message;
  }
  throw new Error(`expected ${String(raw)} to be refused`);
}

describe("parseKeyId", () => {
  it("parses a versioned key id of the public cloud into its parts", () => {
    expect(
      parseKeyId(`https://contoso-kv.vault.azure.net/keys/batch-cmk/${version}`, publicCloud),
    ).toEqual({
      vaultUrl: "https://contoso-kv.vault.azure.net",
      vaultName: "contoso-kv",
      name: "batch-cmk",
      version,
      kid: `https://contoso-kv.vault.azure.net/keys/batch-cmk/${version}`,
    });
  });

  it("parses a versionless key id when no version is required", () => {
    expect(parseKeyId("https://contoso-kv.vault.azure.net/keys/batch-cmk", publicCloud)).toEqual({
      vaultUrl: "https://contoso-kv.vault.azure.net",
      vaultName: "contoso-kv",
      name: "batch-cmk",
      version: undefined,
      kid: "https://contoso-kv.vault.azure.net/keys/batch-cmk",
    });
  });

  it.each([
    [
      "an upper-case scheme and host",
      `HTTPS://CONTOSO-KV.VAULT.AZURE.NET/keys/batch-cmk/${version}`,
    ],
    ["an explicit :443 port", `https://contoso-kv.vault.azure.net:443/keys/batch-cmk/${version}`],
    ["a trailing slash", `https://contoso-kv.vault.azure.net/keys/batch-cmk/${version}/`],
    [
      "an upper-case version",
      `https://contoso-kv.vault.azure.net/keys/batch-cmk/${version.toUpperCase()}`,
    ],
    ["an upper-case collection", `https://contoso-kv.vault.azure.net/KEYS/batch-cmk/${version}`],
    ["spaces around the id", `  https://contoso-kv.vault.azure.net/keys/batch-cmk/${version}  `],
    [
      "everything at once",
      `HTTPS://Contoso-KV.Vault.Azure.Net:443/Keys/batch-cmk/${version.toUpperCase()}/`,
    ],
  ])("canonicalises a key id with %s", (_what, raw) => {
    expect(parseKeyId(raw, publicCloud).kid).toBe(
      `https://contoso-kv.vault.azure.net/keys/batch-cmk/${version}`,
    );
  });

  it("keeps the key name as written, since Key Vault compares names case-insensitively", () => {
    const key = parseKeyId(
      `https://contoso-kv.vault.azure.net/keys/Batch-CMK/${version}`,
      publicCloud,
    );
    expect(key.name).toBe("Batch-CMK");
    expect(key.kid).toBe(`https://contoso-kv.vault.azure.net/keys/Batch-CMK/${version}`);
  });

  it.each([
    ["the China cloud", "china", "vault.azure.cn"],
    ["the US Government cloud", "usgov", "vault.usgovcloudapi.net"],
    ["the public cloud", "public", "vault.azure.net"],
  ] as const)(
    "accepts a vault host of %s when that cloud is configured",
    (_what, cloud, suffix) => {
      expect(parseKeyId(`https://contoso-kv.${suffix}/keys/k1/${version}`, { cloud })).toEqual({
        vaultUrl: `https://contoso-kv.${suffix}`,
        vaultName: "contoso-kv",
        name: "k1",
        version,
        kid: `https://contoso-kv.${suffix}/keys/k1/${version}`,
      });
    },
  );

  it.each([
    ["a China host in the public cloud", "public", "https://kv1.vault.azure.cn/keys/k"],
    ["a public host in the China cloud", "china", "https://kv1.vault.azure.net/keys/k"],
    ["a public host in the US Government cloud", "usgov", "https://kv1.vault.azure.net/keys/k"],
  ] as const)("refuses %s", (_what, cloud, raw) => {
    expect(parseError(raw, cloud)).toMatch(/is not a Key Vault host of the \w+ cloud$/);
  });

  it.each([
    ["a Managed HSM of the public cloud", "public", "managedhsm.azure.net"],
    ["a Managed HSM of the China cloud", "china", "managedhsm.azure.cn"],
    ["a Managed HSM of the US Government cloud", "usgov", "managedhsm.usgovcloudapi.net"],
  ] as const)("refuses a key in %s as unsupported for Batch", (_what, cloud, suffix) => {
    expect(parseError(`https://contoso-hsm.${suffix}/keys/k/${version}`, cloud)).toBe(
      "Managed HSM keys are not supported for Batch accounts",
    );
  });

  it.each([
    ["a secret", `https://contoso-kv.vault.azure.net/secrets/batch-cmk/${version}`, "secrets"],
    [
      "a certificate",
      `https://contoso-kv.vault.azure.net/certificates/batch-cmk/${version}`,
      "certificates",
    ],
    ["a deleted key", "https://contoso-kv.vault.azure.net/deletedkeys/batch-cmk", "deletedkeys"],
    ["no collection at all", "https://contoso-kv.vault.azure.net", ""],
  ])("refuses an id of %s, naming the collection found", (_what, raw, collection) => {
    expect(parseError(raw)).toBe(`key id must name the keys collection, found '${collection}'`);
  });

  it("refuses a versionless id when a version is required", () => {
    expect(parseError("https://contoso-kv.vault.azure.net/keys/batch-cmk", "public", true)).toBe(
      "key id has no version",
    );
  });

  it.each([
    ["is not a string", 42, "key id is empty or not a string"],
    ["is empty", "", "key id is empty or not a string"],
    ["is only spaces", "   ", "key id is empty or not a string"],
    ["is not a URL", "contoso-kv/keys/k", "key id is not a URL"],
    ["uses http", "http://contoso-kv.vault.azure.net/keys/k", "key id must use https, found http"],
    [
      "carries userinfo",
      "https://x.vault.azure.net@evil.com/keys/k",
      "key id must not carry user information",
    ],
    [
      "names another port",
      "https://contoso-kv.vault.azure.net:8443/keys/k",
      "key id must not name a port other than 443, found 8443",
    ],
    [
      "carries a query",
      "https://contoso-kv.vault.azure.net/keys/k?api-version=7.5",
      "key id must not carry a query or fragment",
    ],
    [
      "carries an empty query",
      "https://contoso-kv.vault.azure.net/keys/k?",
      "key id must not carry a query or fragment",
    ],
    [
      "carries a fragment",
      "https://contoso-kv.vault.azure.net/keys/k#x",
      "key id must not carry a query or fragment",
    ],
    [
      "contains a space",
      "https://contoso-kv.vault.azure.net/keys/a b",
      "key id contains whitespace or a backslash",
    ],
    [
      "contains a backslash",
      "https://evil.com\\@contoso-kv.vault.azure.net/keys/k",
      "key id contains whitespace or a backslash",
    ],
    [
      "climbs out of the collection",
      "https://contoso-kv.vault.azure.net/keys/../secrets/x",
      "key id path must not contain dot segments or encoded separators",
    ],
    [
      "climbs out with encoded dots",
      "https://contoso-kv.vault.azure.net/keys/%2e%2e/secrets/x",
      "key id path must not contain dot segments or encoded separators",
    ],
    [
      "hides a slash as %2F",
      "https://contoso-kv.vault.azure.net/keys/k%2Fv",
      "key id path must not contain dot segments or encoded separators",
    ],
    [
      "has an empty segment",
      "https://contoso-kv.vault.azure.net/keys//k",
      "key id path has an empty segment",
    ],
    [
      "has a segment after the version",
      `https://contoso-kv.vault.azure.net/keys/k/${version}/extra`,
      "key id has segments after the version",
    ],
    [
      "has a short version",
      "https://contoso-kv.vault.azure.net/keys/k/abc123",
      "key id version is not 32 hexadecimal characters",
    ],
    [
      "has a version that is not hexadecimal",
      "https://contoso-kv.vault.azure.net/keys/k/zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz",
      "key id version is not 32 hexadecimal characters",
    ],
    [
      "has a key name with a dot",
      "https://contoso-kv.vault.azure.net/keys/k.v",
      "key id has no valid key name, found 'k.v'",
    ],
    [
      "has no key name",
      "https://contoso-kv.vault.azure.net/keys",
      "key id has no valid key name, found ''",
    ],
  ])("refuses an id that %s", (_what, raw, message) => {
    expect(parseError(raw)).toBe(message);
  });

  it.each([
    ["a look-alike suffix", "https://contoso-kv.vault.azure.net.evil.com/keys/k"],
    ["a name glued to the suffix", "https://evilvault.azure.net/keys/k"],
    ["a trailing dot", "https://contoso-kv.vault.azure.net./keys/k"],
    ["the bare suffix", "https://vault.azure.net/keys/k"],
    ["an IPv4 literal", "https://127.0.0.1/keys/k"],
  ])("refuses a host with %s", (_what, raw) => {
    expect(parseError(raw)).toMatch(
      /^key id host '.+' is not a Key Vault host of the public cloud$/,
    );
  });

  it.each([
    ["a punycode vault name", "https://xn--contso-kv-g4a.vault.azure.net/keys/k"],
    ["a vault name with a double dash", "https://contoso--kv.vault.azure.net/keys/k"],
    ["a vault name starting with a digit", "https://1contoso.vault.azure.net/keys/k"],
    ["a vault name that is too short", "https://kv.vault.azure.net/keys/k"],
    ["a sub-domain before the vault name", "https://a.contoso-kv.vault.azure.net/keys/k"],
  ])("refuses a host with %s", (_what, raw) => {
    expect(parseError(raw)).toMatch(/^key id host '.+' does not start with a valid vault name$/);
  });

  it.each([
    ["an IPv6 literal", "https://[::1]/keys/k"],
    ["an IPv4 literal in hexadecimal", "https://0x7f.0.0.1/keys/k"],
    ["a percent-escaped host", "https://contoso%2Dkv.vault.azure.net/keys/k"],
    ["full-width letters", "https://ｃｏｎｔｏｓｏ-kv.vault.azure.net/keys/k"],
    ["an ideographic full stop", "https://contoso-kv。vault.azure.net/keys/k"],
    ["no slashes after the scheme", "https:contoso-kv.vault.azure.net/keys/k"],
    ["one slash after the scheme", "https:/contoso-kv.vault.azure.net/keys/k"],
    ["three slashes after the scheme", "https:///contoso-kv.vault.azure.net/keys/k"],
  ])("refuses a host written as %s, which a URL parser would quietly rewrite", (_what, raw) => {
    expect(parseError(raw)).toBe(
      "key id must be written as https://<host>/... with a plain host name",
    );
  });
});

describe("sameKey and keyRef", () => {
  const a = parseKeyId(`https://contoso-kv.vault.azure.net/keys/Batch-CMK/${version}`, publicCloud);
  const b = parseKeyId("HTTPS://CONTOSO-KV.VAULT.AZURE.NET:443/keys/batch-cmk/", publicCloud);

  it("treats two ids of one key as the same key whatever their case, port and version", () => {
    expect(sameKey(a, b)).toBe(true);
    expect(keyRef(a)).toBe("https://contoso-kv.vault.azure.net/keys/batch-cmk");
    expect(keyRef(b)).toBe(keyRef(a));
  });

  it.each([
    ["another key name", "https://contoso-kv.vault.azure.net/keys/other-key"],
    ["another vault", "https://fabrikam-kv.vault.azure.net/keys/batch-cmk"],
  ])("treats a key in %s as a different key", (_what, raw) => {
    const other = parseKeyId(raw, publicCloud);
    expect(sameKey(a, other)).toBe(false);
    expect(keyRef(other)).not.toBe(keyRef(a));
  });
});

describe("toKeyId", () => {
  it("builds a versionless id when no version is given", () => {
    expect(toKeyId("https://contoso-kv.vault.azure.net", "contoso-kv", "k1", undefined).kid).toBe(
      "https://contoso-kv.vault.azure.net/keys/k1",
    );
  });
});

describe("isTrustedVaultHost", () => {
  it.each([
    ["a public vault in the public cloud", "contoso-kv.vault.azure.net", "public", true],
    ["an upper-case public vault host", "CONTOSO-KV.VAULT.AZURE.NET", "public", true],
    ["a China vault in the China cloud", "contoso-kv.vault.azure.cn", "china", true],
    ["a China vault in the public cloud", "contoso-kv.vault.azure.cn", "public", false],
    ["a Managed HSM", "contoso-hsm.managedhsm.azure.net", "public", false],
    ["a look-alike host", "contoso-kv.vault.azure.net.evil.com", "public", false],
  ] as const)("says whether %s is trusted", (_what, host, cloud, trusted) => {
    expect(isTrustedVaultHost(host, cloud)).toBe(trusted);
  });
});
