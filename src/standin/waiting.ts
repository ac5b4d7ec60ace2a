/** Waiting that gives up the way the real HTTP client does: on the abort signal or the timeout. */
import { AbortError } from "@azure/abort-controller";
import type { PipelineRequest } from "@azure/core-rest-pipeline";

/**
 * Resolves after `ms` (never, for Infinity); rejects with an `AbortError` as soon as the request's
 * abort signal fires or its `timeout` elapses, whichever comes first.
 */
export function waitOrAbort(request: PipelineRequest, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const signal = request.abortSignal;
    if (signal?.aborted) {
      reject(new AbortError("The operation was aborted."));
      return;
    }
    const timers: NodeJS.Timeout[] = [];
    const finish = (error?: Error): void => {
      timers.forEach(clearTimeout);
      signal?.removeEventListener("abort", onAbort);
      if (error === undefined) resolve();
      else reject(error);
    };
    const onAbort = (): void => finish(new AbortError("The operation was aborted."));
    signal?.addEventListener("abort", onAbort);
    if (Number.isFinite(ms)) timers.push(setTimeout(() => finish(), ms));
    if (request.timeout > 0 && request.timeout < ms) {
      timers.push(
        setTimeout(() => finish(new AbortError("The request timed out.")), request.timeout),
      );
    }
  });
}
