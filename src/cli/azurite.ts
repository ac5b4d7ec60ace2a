/**
 * Starts Azurite's table service on a free loopback port for offline runs (the demo, simulated
 * commands and the tests), and stops it afterwards. Telemetry is off and nothing is written to disk.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

export interface RunningAzurite {
  /** Connection string for the table endpoint (Azurite's well-known development account). */
  readonly connectionString: string;
  readonly tableUrl: string;
  stop(): Promise<void>;
}

// Azurite's published development account; it only ever opens loopback emulators.
const devAccount = "devstoreaccount1";
const devKey =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

export async function startAzurite(): Promise<RunningAzurite> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const child = spawn(
      process.execPath,
      [
        require.resolve("azurite/dist/src/table/main.js"),
        "--tableHost",
        "127.0.0.1",
        "--tablePort",
        String(port),
        "--inMemoryPersistence",
        "--disableTelemetry",
        "--skipApiVersionCheck",
        "--silent",
      ],
      { stdio: ["ignore", "pipe", "pipe"] },
    );
    const started = await waitForStart(child);
    if (started) {
      const tableUrl = `http://127.0.0.1:${port}/${devAccount}`;
      return {
        tableUrl,
        connectionString: `DefaultEndpointsProtocol=http;AccountName=${devAccount};AccountKey=${devKey};TableEndpoint=${tableUrl};`,
        stop: () => stopChild(child),
      };
    }
    await stopChild(child);
    // Another process can take the port between our probe and Azurite's bind; try a new one.
    if (attempt >= 5) throw new Error("Azurite did not start on a loopback port after 5 attempts");
  }
}

function waitForStart(child: ChildProcess): Promise<boolean> {
  return new Promise((resolve) => {
    let output = "";
    const timer = setTimeout(() => resolve(false), 20_000);
    const onData = (chunk: Buffer): void => {
      output += chunk.toString();
      if (/successfully started/i.test(output)) {
        clearTimeout(timer);
        resolve(true);
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(false);
    });
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  await Promise.race([exited, sleep(3_000).then(() => child.kill("SIGKILL"))]);
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}
