/**
 * The headers ARM and Key Vault put on every answer (after the recordings), and Key Vault's 401
 * challenge to a request without a token.
 */
import { cloudEndpoints } from "./clouds";
import { errorReply, type Reply } from "./replies";
import type { AzureState, VaultState } from "./state";

let requestCounter = 0;

/** A request id shaped like a GUID, unique within the process and cheap to make. */
function nextRequestId(): string {
  requestCounter += 1;
  return `5a4d1e00-0000-4000-8000-${requestCounter.toString(16).padStart(12, "0")}`;
}

export interface HeaderInput {
  readonly state: AzureState;
  readonly method: string;
  readonly clientRequestId: string | undefined;
  readonly authorized: boolean;
  /** The vault answering, or undefined for ARM. */
  readonly vault: VaultState | undefined;
}

export function serviceHeaders(
  input: HeaderInput,
  body: string | undefined,
): Record<string, string> {
  const requestId = nextRequestId();
  const headers: Record<string, string> = {
    "Cache-Control": "no-cache",
    Pragma: "no-cache",
    Expires: "-1",
    Date: input.state.clock().toUTCString(),
    "Strict-Transport-Security": "max-age=31536000;includeSubDomains",
    "X-Content-Type-Options": "nosniff",
    "x-ms-request-id": requestId,
  };
  if (input.clientRequestId !== undefined)
    headers["x-ms-client-request-id"] = input.clientRequestId;
  if (body !== undefined) {
    headers["Content-Type"] = "application/json; charset=utf-8";
    headers["Content-Length"] = String(Buffer.byteLength(body));
  }
  if (input.vault === undefined) {
    const reads = input.method === "GET" ? "reads" : "writes";
    headers["x-ms-correlation-request-id"] = requestId;
    headers[`x-ms-ratelimit-remaining-subscription-${reads}`] = "11999";
    headers["x-ms-routing-request-id"] = `EASTUS:${compactStamp(input.state.clock())}:${requestId}`;
    return headers;
  }
  headers["x-ms-keyvault-region"] = input.vault.location;
  headers["x-ms-keyvault-service-version"] = "1.9.576.1";
  headers["x-ms-keyvault-network-info"] =
    "conn_type=Ipv4;addr=127.0.0.1;act_addr_fam=InterNetwork;";
  // Only authorized answers of an RBAC vault name the assignment that allowed them.
  if (input.authorized && input.vault.enableRbacAuthorization) {
    headers["x-ms-keyvault-rbac-assignment-id"] = "0b5c37e2-546f-5f67-b775-71961d2f0c3d";
    headers["x-ms-keyvault-rbac-cache"] =
      "ra_age=1;da_age=1;rd_age=1;brd_age=1;ra_notif_age=1;dec_lev=1;";
  }
  return headers;
}

function compactStamp(date: Date): string {
  return date.toISOString().replace(/[-:]/g, "").replace(/\.\d+/, "");
}

/** Key Vault's answer to a request without a bearer token, exactly as recorded. */
export function keyVaultChallenge(state: AzureState): Reply {
  const cloud = cloudEndpoints[state.scenario.cloud];
  const reply = errorReply(
    401,
    "Unauthorized",
    "AKV10000: Request is missing a Bearer or PoP token.",
  );
  return {
    ...reply,
    headers: {
      "WWW-Authenticate":
        `Bearer authorization="${cloud.loginAuthority}/${state.scenario.tenantId}", ` +
        `resource="${cloud.vaultResource}"`,
    },
  };
}

/** ARM's answer to a request without a token (the SDKs always send one, so this is a bug sign). */
export function armUnauthenticated(): Reply {
  return errorReply(
    401,
    "AuthenticationFailed",
    "Authentication failed. The 'Authorization' header is missing.",
  );
}
