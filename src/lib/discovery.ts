/**
 * Which Batch accounts the product watches: an explicit list of resource ids, or every account in
 * a list of subscriptions. One unreadable account or subscription never hides the others.
 */
import type { BatchPort } from "./azure/ports";
import type { Settings } from "./config";
import { type Failure, classifyError } from "./errors";
import type { BatchAccount } from "./model";
import { mapLimit } from "./pool";

export interface Discovery {
  readonly accounts: BatchAccount[];
  /** Accounts or subscriptions that could not be read, by id. */
  readonly failures: Array<{ readonly id: string; readonly failure: Failure }>;
}

export async function discoverAccounts(
  settings: Pick<Settings, "accountIds" | "subscriptionIds" | "maxConcurrency">,
  batch: BatchPort,
): Promise<Discovery> {
  const accounts: BatchAccount[] = [];
  const failures: Discovery["failures"] = [];

  const fromIds = await mapLimit(settings.accountIds, settings.maxConcurrency, (id) =>
    batch.getAccount(id),
  );
  fromIds.forEach((result, index) => {
    const id = settings.accountIds[index] ?? "";
    if (result.status === "fulfilled") accounts.push(result.value);
    else failures.push({ id, failure: classifyError(result.reason) });
  });

  const fromSubscriptions = await mapLimit(
    settings.subscriptionIds,
    settings.maxConcurrency,
    async (id) => {
      const found: BatchAccount[] = [];
      for await (const account of batch.listAccounts(id)) found.push(account);
      return found;
    },
  );
  fromSubscriptions.forEach((result, index) => {
    const id = settings.subscriptionIds[index] ?? "";
    if (result.status === "fulfilled") accounts.push(...result.value);
    else failures.push({ id, failure: classifyError(result.reason) });
  });

  return { accounts: uniqueById(accounts), failures };
}

/** True for an account encrypted with a customer-managed key. */
export function usesCustomerManagedKey(account: BatchAccount): boolean {
  return (
    account.keySource?.toLowerCase() === "microsoft.keyvault" && account.keyIdentifier !== undefined
  );
}

function uniqueById(accounts: BatchAccount[]): BatchAccount[] {
  const seen = new Map<string, BatchAccount>();
  for (const account of accounts) seen.set(account.id.toLowerCase(), account);
  return [...seen.values()];
}
