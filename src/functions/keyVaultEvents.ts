/**
 * Event Grid trigger for the vault's system topic: key new version, near expiry, expired, and
 * access policy changes. A delivery that could not be completed throws, so Event Grid redelivers.
 */
import { type EventGridEvent, type InvocationContext, app } from "@azure/functions";
import { contextLogger, hostRuntime } from "./host";

export async function keyVaultEvents(
  event: EventGridEvent,
  context: InvocationContext,
): Promise<void> {
  const log = contextLogger(context);
  const runtime = await hostRuntime();

  const result = await runtime.handleDelivery(event, log);

  if (result.retryable) {
    throw new Error(
      "some work failed and can be retried: failing the invocation so Event Grid redelivers",
    );
  }
}

app.eventGrid("keyVaultEvents", { handler: keyVaultEvents });
