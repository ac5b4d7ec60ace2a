/** The SDK clients behind the optional alert sinks: Application Insights and an Event Grid topic. */
import type { TokenCredential } from "@azure/core-auth";
import type { HttpClient } from "@azure/core-rest-pipeline";
import { EventGridPublisherClient } from "@azure/eventgrid";
import type { CloudEventPublisher, EventTracker } from "../alertSinks";

/**
 * Application Insights, built on first use: the client starts its exporters when constructed, and
 * most runs raise no alert at all. Only called when a connection string is set, because the first
 * track call throws without one.
 */
export function appInsightsTracker(connectionString: string): EventTracker {
  let client: EventTracker | undefined;
  return {
    trackEvent(event) {
      if (client === undefined) {
        client = new (loadTelemetryClient())(connectionString);
      }
      client.trackEvent(event);
    },
  };
}

/** Publishes alert CloudEvents to the configured custom topic with the app's identity. */
export function eventGridPublisher(
  endpoint: string,
  credential: TokenCredential,
  httpClient?: HttpClient,
): CloudEventPublisher {
  const client = new EventGridPublisherClient(
    endpoint,
    "CloudEvent",
    credential,
    httpClient ? { httpClient } : {},
  );
  return { send: (events) => client.send(events) };
}

/** Loaded lazily so that runs without Application Insights never load its exporters. */
function loadTelemetryClient(): typeof import("applicationinsights").TelemetryClient {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (require("applicationinsights") as typeof import("applicationinsights")).TelemetryClient;
}
