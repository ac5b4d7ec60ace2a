/**
 * Checks a key identifier sent in a Batch PATCH as the Batch service would before accepting it:
 * the vault, key and version exist, the version is enabled, and the account can use it.
 */
import { keyAccessProblem, principalsOf } from "./access";
import type { AccountState, AzureState } from "./state";

/** Why Batch would refuse the key identifier; undefined when it would accept it. */
export function keyReferenceProblem(
  state: AzureState,
  account: AccountState,
  keyIdentifier: string,
): string | undefined {
  let url: URL;
  try {
    url = new URL(keyIdentifier);
  } catch {
    return `${keyIdentifier} is not a URL`;
  }
  const vault = state.vaultsByHost.get(url.hostname.toLowerCase());
  if (url.protocol !== "https:" || vault === undefined || (url.port !== "" && url.port !== "443")) {
    return `${url.host} is not a Key Vault of this cloud that the service can find`;
  }
  const match = /^\/keys\/([^/]+)(?:\/([^/]*))?\/?$/.exec(url.pathname);
  if (match === null || url.search !== "") {
    return `${keyIdentifier} is not a key identifier (https://<vault>/keys/<name>[/<version>])`;
  }
  const name = decodeURIComponent(match[1] ?? "");
  const key = vault.keys.get(name.toLowerCase());
  if (key === undefined) return `key ${name} was not found in vault ${vault.name}`;
  const wanted = match[2] === undefined || match[2] === "" ? undefined : match[2].toLowerCase();
  const version = wanted === undefined ? key.ordered.at(-1) : key.versions.get(wanted);
  if (version === undefined) return `version ${wanted} of key ${name} was not found`;
  if (!version.enabled) return `version ${version.version} of key ${name} is disabled`;
  return keyAccessProblem(state, principalsOf(account.identity), vault, key.name);
}
