/** What a handler answers, before the stand-in adds each service's standard headers. */

export interface Reply {
  readonly status: number;
  /** Serialised as JSON; undefined means no body. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export function ok(body: unknown, headers?: Record<string, string>): Reply {
  return headers === undefined ? { status: 200, body } : { status: 200, body, headers };
}

/** Azure's error shape, shared by ARM and Key Vault: `{"error":{"code","message",...}}`. */
export function errorReply(
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
): Reply {
  return { status, body: { error: { code, message, ...extra } } };
}

/** The code a service uses for a status when a fault rule names none. */
export function defaultErrorCode(status: number, service: "arm" | "keyvault"): string {
  const codes: Record<number, string> = {
    400: "BadRequest",
    401: "Unauthorized",
    403: service === "arm" ? "AuthorizationFailed" : "Forbidden",
    404: "NotFound",
    409: "Conflict",
    412: "PreconditionFailed",
    // ARM throttles per subscription; Key Vault answers its own "Throttled".
    429: service === "arm" ? "SubscriptionRequestsThrottled" : "Throttled",
    500: "InternalServerError",
    502: "BadGateway",
    503: "ServiceUnavailable",
    504: "GatewayTimeout",
  };
  return codes[status] ?? (status >= 500 ? "InternalServerError" : "BadRequest");
}
