/** The hostile-delivery corpus (test/corpus/deliveries.json) and the shape of its entries. */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { EventOptions } from "../../src/lib/events";

/**
 * One delivery and what the normaliser must make of it. A string body is the raw text of a
 * delivery; `generate.repeat` stands for an array of that many copies of the body.
 */
export interface CorpusEntry {
  readonly name: string;
  readonly body: unknown;
  readonly generate?: { readonly repeat: number };
  readonly options?: EventOptions;
  readonly expect: {
    readonly outcome: "rejected" | "ignored" | "accepted";
    readonly reasonContains: string;
  };
}

/** Every entry of the corpus, in file order. */
export const corpus = JSON.parse(
  readFileSync(path.join(__dirname, "..", "corpus", "deliveries.json"), "utf8"),
) as CorpusEntry[];
