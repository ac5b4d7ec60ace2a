/**
 * Stands in for the Functions host's `@azure/functions-core` module. Outside the host the
 * `@azure/functions` package runs in test mode and registers nothing; resolving this fake before
 * the first `app.*` call lets tests see every registration and call the real handlers.
 */
import Module from "node:module";
import path from "node:path";

export interface Registration {
  readonly metadata: {
    name: string;
    bindings: Record<string, { type: string; direction: string; [key: string]: unknown }>;
    [key: string]: unknown;
  };
  readonly handler: (...args: unknown[]) => unknown;
}

const registrations: Registration[] = [];
(globalThis as { __functionRegistrations?: Registration[] }).__functionRegistrations =
  registrations;

const fakeCore = {
  version: "4.0.0",
  hostVersion: "4.1000.0",
  registerHook: () => ({ dispose: () => undefined }),
  setProgrammingModel: () => undefined,
  getProgrammingModel: () => ({ name: "@azure/functions", version: "4.0.0" }),
  registerFunction: (metadata: Registration["metadata"], handler: Registration["handler"]) => {
    registrations.push({ metadata, handler });
    return { dispose: () => undefined };
  },
  Disposable: class {
    constructor(private readonly callback: () => void) {}
    dispose(): void {
      this.callback();
    }
  },
};

const fakePath = path.join(__dirname, "__functions-core-fake__.js");
const moduleWithInternals = Module as unknown as {
  _resolveFilename: (request: string, ...rest: unknown[]) => string;
  _cache: Record<string, unknown>;
};
const originalResolve = moduleWithInternals._resolveFilename;
moduleWithInternals._resolveFilename = function (request: string, ...rest: unknown[]): string {
  if (request === "@azure/functions-core") return fakePath;
  return originalResolve.call(this, request, ...rest);
};
moduleWithInternals._cache[fakePath] = {
  id: fakePath,
  filename: fakePath,
  loaded: true,
  exports: fakeCore,
};
