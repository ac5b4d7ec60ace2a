/**
 * Runs the hostile-delivery corpus through the event normaliser. A string body is the raw text of a
 * delivery (read with `parseDeliveryText`); any other body is the parsed JSON the trigger hands in.
 * An entry marked `generate.repeat` stands for an array of that many copies of its body, built here
 * so that the corpus file stays small.
 */
import { describe, expect, it } from "vitest";
import {
  type DeliveredEvent,
  type EventOptions,
  normaliseDelivery,
  parseDeliveryText,
} from "../src/lib/events";
import { type CorpusEntry, corpus } from "./support/corpus";

const defaultOptions: EventOptions = { cloud: "public", vaultAllowlist: [] };

function deliver(entry: CorpusEntry): DeliveredEvent[] {
  const options = entry.options ?? defaultOptions;
  if (entry.generate) {
    return normaliseDelivery(
      Array.from({ length: entry.generate.repeat }, () => entry.body),
      options,
    );
  }
  return typeof entry.body === "string"
    ? parseDeliveryText(entry.body, options)
    : normaliseDelivery(entry.body, options);
}

function outcomeOf(event: DeliveredEvent): CorpusEntry["expect"]["outcome"] {
  return event.kind === "key" || event.kind === "vault-policy" ? "accepted" : event.kind;
}

describe("the hostile-delivery corpus", () => {
  it("holds at least 70 entries with distinct names", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(70);
    expect(new Set(corpus.map((entry) => entry.name)).size).toBe(corpus.length);
  });

  it.each(corpus.map((entry) => [entry.name, entry] as const))("%s", (_name, entry) => {
    const events = deliver(entry);

    expect(events.length).toBeGreaterThan(0);
    for (const event of events) {
      expect(outcomeOf(event)).toBe(entry.expect.outcome);
      if (event.kind === "rejected" || event.kind === "ignored") {
        expect(event.reason).toContain(entry.expect.reasonContains);
        // One short log line, however large or strange the input.
        expect(event.reason).not.toMatch(/[\r\n]/);
        expect(event.reason.length).toBeLessThan(400);
      } else {
        expect(entry.expect.reasonContains).toBe("");
      }
    }
  });
});
