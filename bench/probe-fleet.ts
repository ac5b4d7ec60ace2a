/**
 * Fleet-scale timing and memory, on the offline stand-in with the real SDK clients and Azurite:
 * a probe of a 10,000-account fleet, and one KeyNewVersionCreated event that moves 500 accounts.
 *
 *   npm run bench                 # 10,000 accounts
 *   npm run bench -- 2000         # another fleet size
 *   BENCH_PIN=previous npm run bench   # every account one version behind: 10,000 open warnings
 *
 * Prints wall time, Azure calls per account and per distinct key, and heap growth. The stand-in
 * adds no latency unless BENCH_LATENCY_MS is set, so the figures are the product's own cost.
 */
import { startAzurite } from "../src/cli/azurite";
import { loadSettings } from "../src/lib/config";
import { createMemoryLogger } from "../src/lib/log";
import { createRuntime } from "../src/lib/runtime";
import { buildFleet, createStandIn } from "../src/standin";

async function main(): Promise<void> {
  const accounts = Number(process.argv[2] ?? 10_000);
  if (!Number.isInteger(accounts) || accounts < 1) {
    console.error(
      `usage: npm run bench -- [ACCOUNTS]; ACCOUNTS must be a whole number, found '${process.argv[2]}'`,
    );
    process.exitCode = 2;
    return;
  }
  const latencyMs = Number(process.env.BENCH_LATENCY_MS ?? 0);
  const pin = process.env.BENCH_PIN === "previous" ? "previous" : "current";
  const scenario = buildFleet({ accounts, subscriptions: 2, identity: "sharedUserAssigned", pin });
  const standIn = createStandIn(scenario, {
    recordRequests: false,
    ...(latencyMs > 0 && { latencyMs }),
  });
  const azurite = await startAzurite();
  try {
    const settings = loadSettings({
      BATCH_CMK_SUBSCRIPTION_IDS: scenario.subscriptions
        .map((subscription) => subscription.id)
        .join(","),
      AzureWebJobsStorage: azurite.connectionString,
      BATCH_CMK_MAX_CONCURRENCY: "16",
    });
    const runtime = createRuntime({
      settings,
      credential: standIn.credential,
      httpClient: standIn.httpClient,
    });
    const log = createMemoryLogger();
    const vaults = scenario.vaults.length;
    console.log(
      `fleet: ${accounts} CMK accounts, ${vaults} vaults (one key each), ${scenario.subscriptions.length} subscriptions`,
    );

    // Warm up the clients and the challenge so the figures are steady-state.
    await runtime.probe(createMemoryLogger());
    standIn.reset();
    global.gc?.();
    const heapBefore = process.memoryUsage().heapUsed;
    let started = performance.now();
    const run = await runtime.probe(log);
    const probeMs = performance.now() - started;
    const heapAfter = process.memoryUsage().heapUsed;
    const probeCalls = standIn.counts();
    const totalProbeCalls = Object.values(probeCalls).reduce((sum, count) => sum + count, 0);
    console.log(
      `probe: ${run.results.length} accounts in ${(probeMs / 1000).toFixed(2)} s ` +
        `(${Math.round(run.results.length / (probeMs / 1000))} accounts/s), ` +
        `${run.results.filter((result) => result.status !== "healthy").length} not healthy`,
    );
    console.log(`probe calls: ${JSON.stringify(probeCalls)}`);
    console.log(
      `probe calls per account: ${(totalProbeCalls / accounts).toFixed(3)}; ` +
        `per distinct key: ${((totalProbeCalls - (probeCalls["batch.list"] ?? 0)) / vaults).toFixed(1)}`,
    );
    console.log(
      `probe heap growth: ${((heapAfter - heapBefore) / 1024 / 1024).toFixed(1)} MiB; rss ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB`,
    );

    // One new version of the first vault's key: every account on that key moves.
    const vault = scenario.vaults[0];
    if (vault === undefined) throw new Error("the fleet has no vault");
    const version = standIn.addKeyVersion(vault.name, "batch-cmk");
    const event = {
      id: "bench-event-1",
      topic: `/subscriptions/${vault.subscriptionId}/resourceGroups/${vault.resourceGroup}/providers/Microsoft.KeyVault/vaults/${vault.name}`,
      subject: "batch-cmk",
      eventType: "Microsoft.KeyVault.KeyNewVersionCreated",
      eventTime: new Date().toISOString(),
      data: {
        Id: `https://${vault.name}.vault.azure.net/keys/batch-cmk/${version}`,
        VaultName: vault.name,
        ObjectType: "Key",
        ObjectName: "batch-cmk",
        Version: version,
        NBF: null,
        EXP: null,
      },
    };
    standIn.reset();
    started = performance.now();
    const delivery = await runtime.handleDelivery(event, log);
    const eventMs = performance.now() - started;
    const outcomes = delivery.reports.flatMap((report) =>
      report.kind === "key" ? report.result.outcomes : [],
    );
    const changed = outcomes.filter((outcome) => outcome.decision === "changed").length;
    const eventCalls = standIn.counts();
    console.log(
      `event: ${changed} of ${outcomes.length} accounts changed in ${(eventMs / 1000).toFixed(2)} s, retryable=${delivery.retryable}`,
    );
    console.log(`event calls: ${JSON.stringify(eventCalls)}`);
    console.log(
      `event calls per changed account: batch.get ${((eventCalls["batch.get"] ?? 0) / changed).toFixed(2)}, ` +
        `batch.update ${((eventCalls["batch.update"] ?? 0) / changed).toFixed(2)}; shared: ` +
        `batch.list ${eventCalls["batch.list"] ?? 0}, keys.versions ${eventCalls["keys.versions"] ?? 0}, keys.get ${eventCalls["keys.get"] ?? 0}`,
    );
  } finally {
    await azurite.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
