/**
 * A fixed credential for offline runs. Offline code must never build DefaultAzureCredential: its
 * managed identity step probes the cloud metadata address.
 */
import type { AccessToken, TokenCredential } from "@azure/core-auth";

/** The token every offline request carries; the stand-in only checks that one is present. */
export const fakeToken = "standin-fake-token";

/** Far enough away that no SDK ever tries to refresh it during a run. */
const farExpiry = Date.UTC(2999, 0, 1);

/** Answers every scope with the same fake token and never touches the network. */
export const fakeCredential: TokenCredential = {
  async getToken(): Promise<AccessToken> {
    return { token: fakeToken, expiresOnTimestamp: farExpiry, tokenType: "Bearer" };
  },
};
