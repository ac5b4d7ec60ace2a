/** What every handler gets: the parsed request, the store and the stand-in's options. */
import type { PipelineRequest } from "@azure/core-rest-pipeline";
import type { Reply } from "./replies";
import type { AzureState } from "./state";

export interface ResolvedOptions {
  readonly armPageSize: number;
  readonly keyVersionsPageSize: number;
  readonly disabledKeyGet: "forbidden" | "ok";
}

export interface RequestContext {
  readonly request: PipelineRequest;
  readonly method: string;
  /** Lower case, without `:443`. */
  readonly host: string;
  /** The URL path as sent, still encoded. */
  readonly path: string;
  /** Decoded path segments, original case; a trailing slash gives no empty segment. */
  readonly segments: readonly string[];
  /** The same segments in lower case, for matching. */
  readonly lower: readonly string[];
  readonly query: URLSearchParams;
  readonly state: AzureState;
  readonly options: ResolvedOptions;
}

/** An operation the stand-in recognised: its name (for logs, counters, faults) and its answer. */
export interface Route {
  readonly operation: string;
  handle(): Reply;
}

/** Parses a JSON request body; undefined when there is none or it is not JSON. */
export function jsonBody(request: PipelineRequest): unknown {
  const body = request.body;
  let text: string | undefined;
  if (typeof body === "string") text = body;
  else if (body instanceof Uint8Array) text = Buffer.from(body).toString("utf8");
  if (text === undefined || text === "") return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
