/**
 * Secrets never leave in product output. The detector the whole suite's scan uses (see
 * test/setup/secretScan.ts and the table scan in test/setup/azurite.ts) is tested here on true and
 * false positives; then canaries: Azure answers with errors that quote a bearer token and a storage
 * connection string, and the log lines, alerts and ledger rows must carry neither, nor any key's
 * modulus.
 */
import { KeyClient } from "@azure/keyvault-keys";
import { describe, expect, inject, it } from "vitest";
import { type Output, main } from "../src/cli/main";
import { createLogger, redact, setOutputTap } from "../src/lib/log";
import { fakeToken } from "../src/standin/credential";
import { demoSubscription, demoVaultUrl, keyVaultEvent, loadDemoScenario } from "./support/demo";
import { type World, createWorld } from "./support/harness";
import { findSecrets } from "./support/secrets";

const jwt =
  "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJodHRwczovL3ZhdWx0LmF6dXJlLm5ldCJ9.c2lnbmF0dXJlLWNhbmFyeQ";
const accountKey = "Q2FuYXJ5QWNjb3VudEtleTAxMjM0NTY3ODlhYmNkZWY=";
const storageConnection = `DefaultEndpointsProtocol=https;AccountName=canarystore;AccountKey=${accountKey};EndpointSuffix=core.windows.net`;
const modulusLike = "u1Zk3r9QbX0pV7mN2cJ4hT8sL6wE5yR1aG3dF9kJ0qP2oI7uY4tR6eW8qA1sD3fG";

const truePositives: Array<[string, string, string]> = [
  ["a bearer token in a header", `Authorization: Bearer opaque-token-0123456789`, "bearer token"],
  ["a JWT on its own", `token ${jwt}`, "JWT"],
  ["a storage connection string", storageConnection, "storage connection string"],
  ["an account key alone", `AccountKey=${accountKey}`, "account key"],
  [
    "a Service Bus shared access key",
    "SharedAccessKey=c2VjcmV0a2V5MDEyMzQ1Njc4OQ==",
    "account key",
  ],
  [
    "a SAS signature in a URL",
    "https://canary.blob.core.windows.net/c/b?sv=2022-11-02&se=2030-01-01&sig=abcDEF0123456789%2Bxyz%3D",
    "SAS signature",
  ],
  [
    "a SAS token in a connection string",
    "BlobEndpoint=https://x.blob.core.windows.net/;SharedAccessSignature=sv=2022-11-02&sig=abcDEF0123456789",
    "shared access signature",
  ],
  [
    "a Service Bus SAS header",
    "SharedAccessSignature sr=https%3A%2F%2Fns.servicebus.windows.net&sig=abcdef0123456789&se=1&skn=x",
    "SAS signature",
  ],
  [
    "an Application Insights connection string",
    "InstrumentationKey=00000000-1111-2222-3333-444444444444;IngestionEndpoint=https://westeurope-1.in.applicationinsights.azure.com/",
    "Application Insights connection string",
  ],
  ["the stand-in's fake token", `token was ${fakeToken}`, "stand-in fake token"],
  ["a JWK modulus", `{"kty":"RSA","n":"${modulusLike}","e":"AQAB"}`, "JWK key material"],
  ["a JWK private exponent, escaped", `body: {\\"d\\":\\"${modulusLike}\\"}`, "JWK key material"],
  [
    "a client secret in a form body",
    "grant_type=client_credentials&client_secret=s3cr3t-Value~99",
    "client secret",
  ],
];

const trueNegatives: Array<[string, string]> = [
  ["a redacted bearer token", "Authorization: Bearer [redacted]"],
  ["a redacted JWT", "token [redacted-jwt]"],
  [
    "a redacted connection string",
    "DefaultEndpointsProtocol=https;AccountName=x;AccountKey=[redacted];EndpointSuffix=core.windows.net",
  ],
  ["a redacted SAS", "https://x.blob.core.windows.net/c?sv=2022-11-02&sig=[redacted]"],
  ["a redacted App Insights key", "InstrumentationKey=[redacted];IngestionEndpoint=https://x/"],
  [
    "a rotation log line",
    "changed account=/subscriptions/6f1d2c3b-4a59-4e8d-9c7b-1a2b3c4d5e6f/resourceGroups/batch-rg/providers/Microsoft.Batch/batchAccounts/batchprod kid=https://contoso-cmk.vault.azure.net/keys/batch-cmk/7d2e3b4a5c6d4e8f9a0b1c2d3e4f5a6b",
  ],
  [
    "prose about the bearer policy",
    "the bearer policy refuses http, even with allowInsecureConnection",
  ],
  ["a key size field", `{"kty":"RSA","n":3072,"keySize":3072}`],
  ["a short JWK exponent", `{"e":"AQAB","k":"short"}`],
  ["a word that contains sig", "design=signature assigned=true"],
  ["an event id that starts like a JWT but is short", "eventId=eyJ12"],
];

describe("the secret detector", () => {
  it.each(truePositives)("finds %s", (_what, text, kind) => {
    expect(findSecrets(text).map((finding) => finding.kind)).toContain(kind);
  });

  it.each(trueNegatives)("does not flag %s", (_what, text) => {
    expect(findSecrets(text)).toEqual([]);
  });

  it("shows only a short excerpt of what it found", () => {
    const [finding] = findSecrets(`AccountKey=${accountKey}`);
    expect(finding?.excerpt).toBe(`AccountKey=${accountKey.slice(0, 13)}...`);
  });

  it.each(truePositives.filter(([, , kind]) => kind !== "stand-in fake token"))(
    "agrees with the logger's redact on %s",
    (_what, text) => {
      expect(findSecrets(redact(text))).toEqual([]);
    },
  );
});

describe("the output tap every log line passes", () => {
  it("is installed for the whole suite and sees each formatted line", () => {
    const seen: string[] = [];
    const suiteTap = setOutputTap((channel, text) => seen.push(`${channel}: ${text}`));
    try {
      createLogger({ debug() {}, info() {}, warn() {}, error() {} }).warn("rotation refused", {
        detail: `Bearer ${jwt}`,
      });
    } finally {
      setOutputTap(suiteTap);
    }

    expect(suiteTap).toBeTypeOf("function");
    expect(seen).toEqual(["log: rotation refused detail=Bearer [redacted]"]);
  });
});

/** A new version's event, with an id that says it came from this file. */
const newVersionEvent = (version: string) =>
  keyVaultEvent("KeyNewVersionCreated", version, { id: `canary-${version.slice(0, 8)}` });

/** Everything a run left that a person or another system could read. */
async function everythingSaid(world: World): Promise<string[]> {
  return [
    ...world.log.lines.map(({ line }) => line),
    ...world.alerts.map((alert) => JSON.stringify(alert)),
    ...(await world.runtime.history()).map((entry) => JSON.stringify(entry)),
  ];
}

/** A key version's modulus in the encodings it could leak in. */
async function modulusOf(world: World, version: string): Promise<string[]> {
  const client = new KeyClient(demoVaultUrl, world.standIn.credential, {
    httpClient: world.standIn.httpClient,
  });
  const key = await client.getKey("batch-cmk", { version });
  const modulus = Buffer.from(key.key?.n ?? new Uint8Array());
  expect(modulus.length).toBeGreaterThanOrEqual(128);
  return [
    modulus.toString("base64url").slice(0, 48),
    modulus.toString("base64").slice(0, 48),
    modulus.toString("hex").slice(0, 48),
  ];
}

const canaryMessage = `upstream proxy echoed Authorization: Bearer ${jwt} and ${storageConnection}`;

describe("canaries: Azure errors that quote credentials", () => {
  it.each([
    ["listing the Batch accounts", "batch.list", "could not read"],
    ["reading the key version", "keys.get", "could not read the key"],
  ])(
    "%s fails and the log names the failure without the token or the account key",
    async (_what, operation, logged) => {
      const world = createWorld(loadDemoScenario());
      const version = world.standIn.addKeyVersion("contoso-cmk", "batch-cmk", { size: 3072 });
      const fault = world.standIn.addFault({ operation, status: 400, message: canaryMessage });

      const result = await world.runtime.handleDelivery(newVersionEvent(version), world.log);

      expect(fault.hits).toBeGreaterThan(0);
      expect(result.reports.map((report) => report.kind)).toEqual(["key"]);
      const said = await everythingSaid(world);
      const failureLines = said.filter((line) => line.includes(logged));
      expect(failureLines.length).toBeGreaterThan(0);
      expect(failureLines.join("\n")).toContain(
        "upstream proxy echoed Authorization: Bearer [redacted]",
      );
      for (const line of said) {
        expect(line).not.toContain(jwt.slice(0, 30));
        expect(line).not.toContain(accountKey.slice(0, 16));
        expect(line).not.toContain(fakeToken);
        expect(findSecrets(line)).toEqual([]);
      }
    },
  );

  it("a rotation logs, alerts and records no part of the key's modulus", async () => {
    const world = createWorld(loadDemoScenario());
    const tooSmall = world.standIn.addKeyVersion("contoso-cmk", "batch-cmk", { size: 1024 });
    const refused = await world.runtime.handleDelivery(newVersionEvent(tooSmall), world.log);
    world.setNow("2026-12-04T10:00:00Z");
    const usable = world.standIn.addKeyVersion("contoso-cmk", "batch-cmk", { size: 3072 });
    const rotated = await world.runtime.handleDelivery(newVersionEvent(usable), world.log);

    const decisions = [rotated, refused].flatMap((result) =>
      result.reports.flatMap((report) =>
        report.kind === "key" ? report.result.outcomes.map((outcome) => outcome.decision) : [],
      ),
    );
    expect(decisions).toContain("changed");
    expect(decisions).toContain("refused");
    const said = (await everythingSaid(world)).join("\n");
    expect(world.alerts.length).toBeGreaterThan(0);
    for (const version of [usable, tooSmall]) {
      for (const piece of await modulusOf(world, version)) expect(said).not.toContain(piece);
    }
    expect(findSecrets(said)).toEqual([]);
  });
});

describe("the command line's own error line", () => {
  it("is redacted like a log line", async () => {
    const saved = { ...process.env };
    process.env.BATCH_CMK_SUBSCRIPTION_IDS = demoSubscription;
    process.env.AzureWebJobsStorage = inject("azuriteConnectionString");
    let out = "";
    let err = "";
    const stream = (write: (text: string) => void) =>
      ({ write: (chunk: string) => (write(chunk), true) }) as Output;
    try {
      const code = await main(
        [
          "replay",
          "/nonexistent/dead-letter-sig=Q2FuYXJ5U2lnbmF0dXJlMDEyMzQ1.json",
          "--simulate",
          "scenarios/demo.json",
        ],
        stream((text) => (out += text)),
        stream((text) => (err += text)),
      );

      expect(code).toBe(2);
    } finally {
      for (const name of Object.keys(process.env)) if (!(name in saved)) delete process.env[name];
      Object.assign(process.env, saved);
    }
    expect(out).toBe("");
    expect(err).toMatch(/^replay: no such file '.*sig=\[redacted\]/);
    expect(err).not.toContain("Q2FuYXJ5U2lnbmF0dXJl");
  });
});
