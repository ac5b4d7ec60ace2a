/** Offset paging with opaque `$skiptoken`s, as ARM and Key Vault page their lists. */

export interface Page<T> {
  readonly items: readonly T[];
  /** The offset of the next page, or undefined on the last page. */
  readonly nextOffset: number | undefined;
}

export function encodeSkipToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString("base64url");
}

/** The offset a `$skiptoken` carries; undefined when the token is not one of ours. */
export function decodeSkipToken(token: string | null): number | undefined {
  if (token === null) return 0;
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
    const offset = (parsed as { offset?: unknown }).offset;
    return typeof offset === "number" && Number.isInteger(offset) && offset >= 0
      ? offset
      : undefined;
  } catch {
    return undefined;
  }
}

export function pageOf<T>(items: readonly T[], offset: number, size: number): Page<T> {
  const end = offset + size;
  return { items: items.slice(offset, end), nextOffset: end < items.length ? end : undefined };
}
