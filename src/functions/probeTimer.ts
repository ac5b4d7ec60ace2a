/**
 * Timer trigger: probe every watched CMK account on the configured schedule. A run that finds the
 * previous one still going says so and leaves the work to it; a late run says so and probes once.
 */
import { type InvocationContext, type Timer, app } from "@azure/functions";
import { summariseProbe } from "../lib/runtime";
import { contextLogger, hostRuntime, settings } from "./host";

let running = false;

export async function probeTimer(timer: Timer, context: InvocationContext): Promise<void> {
  const log = contextLogger(context);
  if (running) {
    log.warn("the previous probe is still running; this run leaves the work to it");
    return;
  }
  if (timer.isPastDue) log.warn("the probe is past due; probing once now");

  running = true;
  try {
    const runtime = await hostRuntime();
    // The app's settings name the whole fleet: alerts of accounts gone from it resolve.
    const run = await runtime.probe(log, { resolveUnwatched: true });
    log.info(summariseProbe(run));
  } finally {
    running = false;
  }
}

app.timer("probeTimer", { schedule: settings.probeSchedule, handler: probeTimer });
