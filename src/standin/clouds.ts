/** The hosts and token resources of each Azure cloud the stand-in can play. */

export type Cloud = "public" | "china" | "usgov";

export interface CloudEndpoints {
  /** Azure Resource Manager host, e.g. `management.azure.com`. */
  readonly armHost: string;
  /** Key Vault DNS suffix; a vault answers at `<name>.<suffix>`. */
  readonly vaultSuffix: string;
  /** The resource Key Vault names in its 401 challenge. */
  readonly vaultResource: string;
  /** The authority Key Vault names in its 401 challenge (the tenant id is appended). */
  readonly loginAuthority: string;
  /** Batch account endpoints are `<account>.<location>.<suffix>`. */
  readonly batchSuffix: string;
}

export const cloudEndpoints: Readonly<Record<Cloud, CloudEndpoints>> = {
  public: {
    armHost: "management.azure.com",
    vaultSuffix: "vault.azure.net",
    vaultResource: "https://vault.azure.net",
    // NOTE: the recorded challenges name login.windows.net, not login.microsoftonline.com.
    loginAuthority: "https://login.windows.net",
    batchSuffix: "batch.azure.com",
  },
  china: {
    armHost: "management.chinacloudapi.cn",
    vaultSuffix: "vault.azure.cn",
    vaultResource: "https://vault.azure.cn",
    loginAuthority: "https://login.chinacloudapi.cn",
    batchSuffix: "batch.chinacloudapi.cn",
  },
  usgov: {
    armHost: "management.usgovcloudapi.net",
    vaultSuffix: "vault.usgovcloudapi.net",
    vaultResource: "https://vault.usgovcloudapi.net",
    loginAuthority: "https://login.microsoftonline.us",
    batchSuffix: "batch.usgovcloudapi.net",
  },
};

export const clouds: readonly Cloud[] = ["public", "china", "usgov"];
