/**
 * One Event Grid delivery, whatever its shape, handled end to end: normalised and trusted first,
 * then each key event through rotation and each access-policy change through the probe. The result
 * says whether Event Grid should redeliver.
 */
import type { Settings } from "./config";
import { classifyError } from "./errors";
import {
  type DeliveredEvent,
  type KeyEvent,
  type VaultPolicyEvent,
  normaliseDelivery,
} from "./events";
import type { Logger } from "./log";
import type { KeyEventResult } from "./rotation";

export type EventReport =
  | { readonly kind: "key"; readonly result: KeyEventResult }
  | {
      readonly kind: "vault-policy";
      readonly eventId: string;
      readonly vaultName: string;
      readonly summary: string;
      readonly retryable: boolean;
    }
  | {
      readonly kind: "ignored";
      readonly eventId: string | undefined;
      readonly eventType: string;
      readonly reason: string;
    }
  | {
      readonly kind: "rejected";
      readonly eventId: string | undefined;
      readonly eventType: string | undefined;
      readonly reason: string;
    };

export interface DeliveryResult {
  readonly reports: EventReport[];
  /** True when some work failed in a way a later redelivery can complete. */
  readonly retryable: boolean;
}

export interface DeliveryDeps {
  readonly settings: Pick<Settings, "cloud" | "vaultAllowlist">;
  readonly log: Logger;
  readonly onKeyEvent: (event: KeyEvent) => Promise<KeyEventResult>;
  /** Probes the accounts whose key is in the vault; returns a one-line summary. */
  readonly onVaultPolicyChanged: (
    event: VaultPolicyEvent,
  ) => Promise<{ summary: string; retryable: boolean }>;
}

export async function handleDelivery(body: unknown, deps: DeliveryDeps): Promise<DeliveryResult> {
  const events = normaliseDelivery(body, {
    cloud: deps.settings.cloud,
    vaultAllowlist: deps.settings.vaultAllowlist,
  });
  return handleEvents(events, deps);
}

export async function handleEvents(
  events: readonly DeliveredEvent[],
  deps: DeliveryDeps,
): Promise<DeliveryResult> {
  const reports: EventReport[] = [];
  // Events of one delivery are handled in order: a key's events may depend on each other.
  for (const event of events) reports.push(await handleOne(event, deps));
  const retryable = reports.some(
    (report) =>
      (report.kind === "key" && report.result.retryable) ||
      (report.kind === "vault-policy" && report.retryable),
  );
  return { reports, retryable };
}

async function handleOne(event: DeliveredEvent, deps: DeliveryDeps): Promise<EventReport> {
  const { log } = deps;
  switch (event.kind) {
    case "rejected":
      log.warn(`rejected event: ${event.reason}`, { eventId: event.id, eventType: event.type });
      return { kind: "rejected", eventId: event.id, eventType: event.type, reason: event.reason };

    case "ignored":
      log.debug(`ignored event: ${event.reason}`, { eventId: event.id, eventType: event.type });
      return { kind: "ignored", eventId: event.id, eventType: event.type, reason: event.reason };

    case "key":
      log.info("key event", { eventId: event.id, eventType: event.type, kid: event.key.kid });
      return { kind: "key", result: await deps.onKeyEvent(event) };

    case "vault-policy": {
      log.info("vault access policy changed: probing its accounts", {
        eventId: event.id,
        vault: event.vaultName,
      });
      try {
        const { summary, retryable } = await deps.onVaultPolicyChanged(event);
        return {
          kind: "vault-policy",
          eventId: event.id,
          vaultName: event.vaultName,
          summary,
          retryable,
        };
      } catch (error) {
        const failure = classifyError(error);
        log.error(`probe after access policy change failed: ${failure.summary}`, {
          eventId: event.id,
          vault: event.vaultName,
        });
        return {
          kind: "vault-policy",
          eventId: event.id,
          vaultName: event.vaultName,
          summary: failure.summary,
          retryable: true,
        };
      }
    }
  }
}
