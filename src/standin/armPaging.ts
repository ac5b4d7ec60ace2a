/** ARM list pages: `{ value, nextLink }`, the link carrying an opaque `$skiptoken`. */
import { cloudEndpoints } from "./clouds";
import type { RequestContext } from "./context";
import { decodeSkipToken, encodeSkipToken, pageOf } from "./paging";
import { errorReply, ok, type Reply } from "./replies";

export function armListReply<T>(
  context: RequestContext,
  items: readonly T[],
  toBody: (item: T) => unknown,
): Reply {
  const offset = decodeSkipToken(context.query.get("$skiptoken"));
  if (offset === undefined) {
    return errorReply(400, "InvalidSkipToken", "The provided $skiptoken is not valid.");
  }
  const page = pageOf(items, offset, context.options.armPageSize);
  const body: { value: unknown[]; nextLink?: string } = { value: page.items.map(toBody) };
  // Like the recorded ARM lists, the last page has no nextLink key at all.
  if (page.nextOffset !== undefined) {
    const next = new URLSearchParams(context.query);
    next.set("$skiptoken", encodeSkipToken(page.nextOffset));
    const host = cloudEndpoints[context.state.scenario.cloud].armHost;
    body.nextLink = `https://${host}${context.path}?${next.toString().replace(/%24/g, "$")}`;
  }
  return ok(body);
}
