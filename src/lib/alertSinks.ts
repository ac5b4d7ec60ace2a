/**
 * Where alert notifications go: the function log always, Application Insights custom events and an
 * Event Grid topic when configured. External payloads carry an allow-listed set of identifiers.
 */
import { createHash } from "node:crypto";
import type { AlertNotification, AlertSink, NotificationKind } from "./alerts";
import { type Logger, tapOutput } from "./log";

/** The identifiers an alert may carry outside the function log. */
export interface AlertPayload {
  readonly accountId: string;
  readonly vault?: string;
  readonly keyName?: string;
  readonly version?: string;
  readonly check: string;
  readonly severity: string;
  readonly remedy: string;
}

export const alertEventTypes: Readonly<Record<NotificationKind, string>> = {
  raised: "BatchCmkGuard.AlertRaised",
  reminded: "BatchCmkGuard.AlertReminded",
  resolved: "BatchCmkGuard.AlertResolved",
};

/** Builds the payload field by field, so nothing outside the allow-list can slip in. */
export function alertPayload(notification: AlertNotification): AlertPayload {
  const { accountId, vault, keyName, version, check, severity, remedy } = notification;
  const payload: AlertPayload = {
    accountId,
    ...(vault === undefined ? {} : { vault }),
    ...(keyName === undefined ? {} : { keyName }),
    ...(version === undefined ? {} : { version }),
    check,
    severity,
    remedy,
  };
  tapOutput("alert", JSON.stringify(payload));
  return payload;
}

/** Raised and reminded alerts are warnings in the log; resolutions are information. */
export function logSink(log: Logger): AlertSink {
  return {
    name: "log",
    send(notification) {
      const fields = {
        accountId: notification.accountId,
        check: notification.check,
        severity: notification.severity,
        vault: notification.vault,
        keyName: notification.keyName,
        version: notification.version,
        remedy: notification.remedy,
      };
      const line = `alert ${notification.kind}: ${notification.check}: ${notification.message}`;
      if (notification.kind === "resolved") log.info(line, fields);
      else log.warn(line, fields);
    },
  };
}

/** The one call of the Application Insights `TelemetryClient` this sink makes. */
export interface EventTracker {
  trackEvent(event: { name: string; properties?: Record<string, string> }): void;
}

export function appInsightsSink(client: EventTracker): AlertSink {
  return {
    name: "appInsights",
    send(notification) {
      client.trackEvent({
        name: alertEventTypes[notification.kind],
        properties: { ...alertPayload(notification) },
      });
    },
  };
}

/** A CloudEvents 1.0 event as `EventGridPublisherClient<"CloudEvent">.send` takes it. */
export interface AlertCloudEvent {
  type: string;
  source: string;
  id: string;
  time: Date;
  subject: string;
  datacontenttype: "application/json";
  data: AlertPayload;
}

export interface CloudEventPublisher {
  send(events: AlertCloudEvent[]): Promise<void>;
}

export interface EventGridSinkOptions {
  /** CloudEvents `source`: who raised the alert. */
  readonly source?: string;
}

export function eventGridSink(
  publisher: CloudEventPublisher,
  options: EventGridSinkOptions = {},
): AlertSink {
  const source = options.source ?? "/batch-cmk-guard";
  return {
    name: "eventGrid",
    async send(notification) {
      await publisher.send([
        {
          type: alertEventTypes[notification.kind],
          source,
          id: eventId(notification),
          time: notification.on,
          subject: notification.accountId,
          datacontenttype: "application/json",
          data: alertPayload(notification),
        },
      ]);
    },
  };
}

/** Stable per (account, check, kind, time), so a subscriber can drop a resent duplicate. */
function eventId(notification: AlertNotification): string {
  return createHash("sha256")
    .update(
      [
        notification.accountId.toLowerCase(),
        notification.check,
        notification.kind,
        notification.on.toISOString(),
      ].join("\n"),
    )
    .digest("hex")
    .slice(0, 32);
}
