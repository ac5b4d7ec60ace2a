/**
 * The one place where Azure SDK clients are built. Every client takes the same credential and,
 * when given, the same `httpClient`: offline runs pass the stand-in's, so the whole SDK pipeline
 * (serialisation, retries, the Key Vault challenge, bearer tokens) runs with no socket opened.
 */
import { AuthorizationManagementClient } from "@azure/arm-authorization";
import { BatchManagementClient } from "@azure/arm-batch";
import { KeyVaultManagementClient } from "@azure/arm-keyvault";
import type { TokenCredential } from "@azure/core-auth";
import { type HttpClient, type PipelinePolicy, RestError } from "@azure/core-rest-pipeline";
import { KeyClient } from "@azure/keyvault-keys";
import type { Cloud } from "../keyId";

export const armEndpoints: Readonly<Record<Cloud, string>> = {
  public: "https://management.azure.com",
  china: "https://management.chinacloudapi.cn",
  usgov: "https://management.usgovcloudapi.net",
};

export interface ClientOptions {
  readonly credential: TokenCredential;
  readonly cloud: Cloud;
  /** An in-process transport (the stand-in); the SDK's own HTTP client when absent. */
  readonly httpClient?: HttpClient;
  /** Per-attempt time limit, so that a request that never answers cannot outlive the invocation. */
  readonly requestTimeoutMs?: number;
  /** Retries of throttled, failed or unanswered requests. */
  readonly maxRetries?: number;
  /** First wait between retries; later ones grow exponentially. */
  readonly retryDelayMs?: number;
  /** Longest single wait between retries, whatever `Retry-After` asks for. */
  readonly maxRetryDelayMs?: number;
}

export interface AzureClients {
  batch(subscriptionId: string): BatchManagementClient;
  vaults(subscriptionId: string): KeyVaultManagementClient;
  authorization(subscriptionId: string): AuthorizationManagementClient;
  keys(vaultUrl: string): KeyClient;
}

/** Builds SDK clients lazily, one per subscription or vault, and reuses them. */
export function createAzureClients(options: ClientOptions): AzureClients {
  const endpoint = armEndpoints[options.cloud];
  const common = {
    httpClient: options.httpClient,
    retryOptions: {
      maxRetries: options.maxRetries ?? 3,
      retryDelayInMs: options.retryDelayMs ?? 1_000,
      maxRetryDelayInMs: options.maxRetryDelayMs ?? 30_000,
    },
    additionalPolicies: [
      { policy: attemptTimeout(options.requestTimeoutMs ?? 30_000), position: "perRetry" as const },
      {
        policy: boundedRetryAfter(options.maxRetryDelayMs ?? 30_000),
        position: "perRetry" as const,
      },
    ],
  };
  const arm = { ...common, endpoint, credentialScopes: [`${endpoint}/.default`] };

  return {
    batch: memo(
      (subscriptionId) => new BatchManagementClient(options.credential, subscriptionId, arm),
    ),
    vaults: memo(
      (subscriptionId) => new KeyVaultManagementClient(options.credential, subscriptionId, arm),
    ),
    authorization: memo(
      (subscriptionId) =>
        new AuthorizationManagementClient(options.credential, subscriptionId, arm),
    ),
    keys: memo((vaultUrl) => new KeyClient(vaultUrl, options.credential, common)),
  };
}

/**
 * Gives every attempt its own deadline. The SDK's retry policy sees the abort as a failure of that
 * attempt; the caller's own abort signal still wins.
 */
function attemptTimeout(ms: number): PipelinePolicy {
  return {
    name: "batchCmkGuardAttemptTimeout",
    sendRequest: async (request, next) => {
      const callerSignal = request.abortSignal;
      const deadline = AbortSignal.timeout(ms);
      request.abortSignal = callerSignal
        ? AbortSignal.any([callerSignal as AbortSignal, deadline])
        : deadline;
      try {
        return await next(request);
      } catch (error) {
        // Our deadline alone fired: a timeout, which the retry policy retries. Left as an abort
        // (with the aborted signal still on the request) it would end the call at once instead.
        if (deadline.aborted && !callerSignal?.aborted) {
          throw new RestError(`no answer within ${ms} ms`, { code: "ETIMEDOUT", request });
        }
        throw error;
      } finally {
        request.abortSignal = callerSignal;
      }
    },
  };
}

const retryAfterHeaders = ["retry-after-ms", "x-ms-retry-after-ms", "retry-after"];

/**
 * The SDK honours any `Retry-After`, however long. A wait longer than `maxMs` would outlive the
 * invocation, so such a response is handed back as the failure it is: the invocation then fails
 * and Event Grid's own backoff redelivers the event later.
 */
function boundedRetryAfter(maxMs: number): PipelinePolicy {
  return {
    name: "batchCmkGuardBoundedRetryAfter",
    sendRequest: async (request, next) => {
      const response = await next(request);
      const waitMs = retryAfterMs(response.headers.get.bind(response.headers));
      if (waitMs !== undefined && waitMs > maxMs) {
        for (const header of retryAfterHeaders) response.headers.delete(header);
      }
      return response;
    },
  };
}

function retryAfterMs(get: (name: string) => string | undefined): number | undefined {
  for (const header of retryAfterHeaders) {
    const value = get(header);
    if (value === undefined) continue;
    const number = Number(value);
    if (Number.isFinite(number)) return header === "retry-after" ? number * 1000 : number;
    const date = Date.parse(value);
    if (Number.isFinite(date)) return date - Date.now();
  }
  return undefined;
}

function memo<T>(build: (key: string) => T): (key: string) => T {
  const cache = new Map<string, T>();
  return (key) => {
    const normalised = key.toLowerCase();
    let client = cache.get(normalised);
    if (client === undefined) {
      client = build(key);
      cache.set(normalised, client);
    }
    return client;
  };
}
