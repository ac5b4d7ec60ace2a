/**
 * The stand-in for Azure: an `HttpClient` that answers the ARM and Key Vault requests the product
 * makes from an in-memory scenario, so the real SDK clients run their whole pipeline offline.
 */
import { AbortError } from "@azure/abort-controller";
import type { TokenCredential } from "@azure/core-auth";
import {
  createHttpHeaders,
  RestError,
  type HttpClient,
  type PipelineRequest,
  type PipelineResponse,
} from "@azure/core-rest-pipeline";
import { routeAuthorization } from "./armAuthorization";
import { routeBatch } from "./armBatch";
import { routeVaults } from "./armVaults";
import { cloudEndpoints } from "./clouds";
import type { RequestContext, ResolvedOptions, Route } from "./context";
import { fakeCredential } from "./credential";
import { Faults, type FaultAction, type FaultHandle, type FaultRule } from "./faults";
import { routeKeys } from "./keyVaultKeys";
import { defaultErrorCode, errorReply, type Reply } from "./replies";
import { RequestLog, type RecordedRequest } from "./requestLog";
import type { Scenario } from "./scenario";
import { armUnauthenticated, keyVaultChallenge, serviceHeaders } from "./serviceHeaders";
import { AzureState, type VaultState } from "./state";
import { waitOrAbort } from "./waiting";

export interface StandInOptions {
  /** Source of created/updated/deleted times and the `Date` header; real time by default. */
  readonly clock?: () => Date;
  /** Items per ARM list page (accounts, vaults, role assignments); 100 by default. */
  readonly armPageSize?: number;
  /** Items per key versions page when the client asks for no `maxresults`; 25 by default. */
  readonly keyVersionsPageSize?: number;
  /** GET of a disabled key version: 403 Forbidden (default) or 200 with `enabled: false`. */
  readonly disabledKeyGet?: "forbidden" | "ok";
  /** Latency added to every request, in ms. */
  readonly latencyMs?: number;
  /** Keep every request in `requests`; counters are kept either way. True by default. */
  readonly recordRequests?: boolean;
}

type Service = { readonly kind: "arm" } | { readonly kind: "keyvault"; readonly vault: VaultState };

/** Builds a stand-in over a loaded scenario (see `loadScenario` and `buildFleet`). */
export function createStandIn(scenario: Scenario, options: StandInOptions = {}): StandIn {
  return new StandIn(scenario, options);
}

export class StandIn extends AzureState {
  /** Pass to every SDK client as `httpClient`; it never opens a socket. */
  readonly httpClient: HttpClient = { sendRequest: (request) => this.send(request) };
  /** The fixed fake credential; offline runs must use it and nothing else. */
  readonly credential: TokenCredential = fakeCredential;
  private readonly log: RequestLog;
  private readonly faults = new Faults();
  private readonly settings: ResolvedOptions;

  constructor(scenario: Scenario, options: StandInOptions = {}) {
    super(scenario, options.clock ?? (() => new Date()));
    this.log = new RequestLog(options.recordRequests ?? true);
    this.settings = {
      armPageSize: positive(options.armPageSize ?? 100, "armPageSize"),
      keyVersionsPageSize: positive(options.keyVersionsPageSize ?? 25, "keyVersionsPageSize"),
      disabledKeyGet: options.disabledKeyGet ?? "forbidden",
    };
    if (options.latencyMs !== undefined) this.faults.setLatency(options.latencyMs);
  }

  /** Every request seen, oldest first (empty when `recordRequests` is false). */
  get requests(): readonly RecordedRequest[] {
    return this.log.requests;
  }

  /** Requests to hosts the stand-in does not serve; each was refused with a connection error. */
  get untrustedRequests(): readonly RecordedRequest[] {
    return this.log.untrustedRequests;
  }

  /** How many requests an operation has seen since the start or the last `reset()`. */
  count(operation: string): number {
    return this.log.count(operation);
  }

  counts(): Record<string, number> {
    return this.log.counts();
  }

  /** Forgets the request log and counters (not the faults, latency or resources). */
  reset(): void {
    this.log.reset();
  }

  /** Adds a fault rule; see `FaultRule`. Earlier rules win. */
  addFault(rule: FaultRule): FaultHandle {
    return this.faults.add(rule);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  /** Adds latency to one operation, or to all when none is named. */
  setLatency(ms: number, operation?: string): void {
    this.faults.setLatency(ms, operation);
  }

  clearLatency(): void {
    this.faults.clearLatency();
  }

  private serviceOf(url: URL): Service | undefined {
    if (url.protocol !== "https:" || (url.port !== "" && url.port !== "443")) return undefined;
    const host = url.hostname.toLowerCase();
    if (host === cloudEndpoints[this.scenario.cloud].armHost) return { kind: "arm" };
    const vault = this.vaultsByHost.get(host);
    return vault === undefined ? undefined : { kind: "keyvault", vault };
  }

  private async send(request: PipelineRequest): Promise<PipelineResponse> {
    if (request.abortSignal?.aborted) throw new AbortError("The operation was aborted.");
    const url = new URL(request.url);
    const method = request.method.toUpperCase();
    const authorized = request.headers.has("Authorization");
    const seen = {
      method,
      host: url.hostname.toLowerCase(),
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorized,
    };
    const service = this.serviceOf(url);
    if (service === undefined) {
      this.log.record({ ...seen, operation: "untrusted", status: undefined, fault: undefined });
      throw new RestError(`stand-in: ${seen.host} is not a host it serves; connection refused`, {
        code: RestError.REQUEST_SEND_ERROR,
        request,
      });
    }

    const context = this.contextFor(request, url, method);
    const vault = service.kind === "keyvault" ? service.vault : undefined;
    const route = this.routeFor(context, vault, authorized);

    const latency = this.faults.latencyFor(route.operation);
    if (latency > 0) await waitOrAbort(request, latency);

    const fault = this.faults.take({ ...seen, operation: route.operation });
    if (fault !== undefined && !("status" in fault)) {
      const kind = "reset" in fault ? "reset" : "timeout";
      this.log.record({ ...seen, operation: route.operation, status: undefined, fault: kind });
      if (kind === "timeout") await waitOrAbort(request, Infinity);
      throw new RestError("read ECONNRESET", { code: "ECONNRESET", request });
    }
    const reply = fault === undefined ? route.handle() : faultReply(fault, service.kind);
    const entry = { ...seen, operation: route.operation, status: reply.status };
    this.log.record({ ...entry, fault: fault === undefined ? undefined : "status" });

    const bodyAsText = reply.body === undefined ? undefined : JSON.stringify(reply.body);
    const headerInput = {
      state: this,
      method,
      clientRequestId: request.headers.get("x-ms-client-request-id"),
      authorized,
      vault,
    };
    const headers = { ...serviceHeaders(headerInput, bodyAsText), ...reply.headers };
    const response: PipelineResponse = {
      request,
      status: reply.status,
      headers: createHttpHeaders(headers),
    };
    if (bodyAsText !== undefined) response.bodyAsText = bodyAsText;
    return response;
  }

  private contextFor(request: PipelineRequest, url: URL, method: string): RequestContext {
    const segments = url.pathname
      .split("/")
      .filter((s) => s !== "")
      .map((s) => decodeURIComponent(s));
    return {
      request,
      method,
      host: url.hostname.toLowerCase(),
      path: url.pathname,
      segments,
      lower: segments.map((s) => s.toLowerCase()),
      query: url.searchParams,
      state: this,
      options: this.settings,
    };
  }

  /** The operation for a request; a request without a token meets the challenge first. */
  private routeFor(
    context: RequestContext,
    vault: VaultState | undefined,
    authorized: boolean,
  ): Route {
    if (vault !== undefined) {
      if (!authorized)
        return { operation: "keyvault.challenge", handle: () => keyVaultChallenge(this) };
      return routeKeys(context, vault) ?? unknownRoute("keyvault", context);
    }
    if (!authorized) return { operation: "arm.unauthenticated", handle: armUnauthenticated };
    return (
      routeBatch(context) ??
      routeVaults(context) ??
      routeAuthorization(context) ??
      unknownRoute("arm", context)
    );
  }
}

function unknownRoute(service: "arm" | "keyvault", context: RequestContext): Route {
  const message = `The stand-in does not serve ${context.method} ${context.path}.`;
  return { operation: `${service}.unknown`, handle: () => errorReply(404, "NotFound", message) };
}

function faultReply(
  fault: Extract<FaultAction, { status: number }>,
  service: "arm" | "keyvault",
): Reply {
  const code = fault.code ?? defaultErrorCode(fault.status, service);
  const reply = errorReply(
    fault.status,
    code,
    fault.message ?? `Injected fault: ${fault.status} ${code}.`,
  );
  const headers: Record<string, string> = {};
  if (fault.retryAfter !== undefined) headers["Retry-After"] = String(fault.retryAfter);
  if (fault.retryAfterMs !== undefined) headers["retry-after-ms"] = String(fault.retryAfterMs);
  return { ...reply, headers };
}

function positive(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`stand-in: ${name} must be a positive integer, found ${value}`);
  }
  return value;
}
