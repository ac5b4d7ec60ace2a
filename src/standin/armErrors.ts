/** ARM's not-found answers, in the order ARM checks: subscription, resource group, resource. */
import { errorReply, type Reply } from "./replies";
import type { AzureState } from "./state";

/** The 404 for a missing subscription or resource group; undefined when both exist. */
export function missingParent(
  state: AzureState,
  subscriptionId: string,
  resourceGroup?: string,
): Reply | undefined {
  if (!state.subscriptions.has(subscriptionId.toLowerCase())) {
    return errorReply(
      404,
      "SubscriptionNotFound",
      `The subscription '${subscriptionId}' could not be found.`,
    );
  }
  if (
    resourceGroup !== undefined &&
    !state.resourceGroups.has(`${subscriptionId}/${resourceGroup}`.toLowerCase())
  ) {
    return errorReply(
      404,
      "ResourceGroupNotFound",
      `Resource group '${resourceGroup}' could not be found.`,
    );
  }
  return undefined;
}

export function resourceNotFound(type: string, name: string, resourceGroup: string): Reply {
  return errorReply(
    404,
    "ResourceNotFound",
    `The Resource '${type}/${name}' under resource group '${resourceGroup}' was not found. ` +
      "For more details please go to https://aka.ms/ARMResourceNotFoundFix",
  );
}
