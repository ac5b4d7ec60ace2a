/** ARM resource ids: the parts the product needs, compared case-insensitively as ARM does. */

export interface ResourceId {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly name: string;
}

const pattern =
  /^\/subscriptions\/([^/]+)\/resourceGroups\/([^/]+)\/providers\/([^/]+)\/([^/]+)\/([^/]+)$/i;

/** Parses `/subscriptions/<s>/resourceGroups/<rg>/providers/<ns>/<type>/<name>` of one type. */
export function parseResourceId(id: string, provider: string, type: string): ResourceId {
  const match = pattern.exec(id.trim().replace(/\/$/, ""));
  if (
    !match ||
    match[3]?.toLowerCase() !== provider.toLowerCase() ||
    match[4]?.toLowerCase() !== type.toLowerCase()
  ) {
    throw new Error(`'${id.slice(0, 200)}' is not a ${provider}/${type} resource id`);
  }
  return { subscriptionId: match[1] ?? "", resourceGroup: match[2] ?? "", name: match[5] ?? "" };
}

export function sameResourceId(a: string, b: string): boolean {
  return a.replace(/\/$/, "").toLowerCase() === b.replace(/\/$/, "").toLowerCase();
}
