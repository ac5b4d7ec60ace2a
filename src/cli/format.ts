/** Plain-text tables and short names for the operator's terminal. */

/** Formats rows as left-aligned columns under a header. */
export function table(header: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) =>
        column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0),
      )
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

/** The account name from its resource id. */
export function accountName(accountId: string): string {
  return accountId.split("/").pop() || accountId;
}

/** A key identifier as `vault/key@version`, version shortened to its first 8 characters. */
export function shortKid(kid: string | undefined): string {
  if (kid === undefined) return "-";
  const match = /^https:\/\/([^./]+)[^/]*\/keys\/([^/]+)(?:\/([^/]+))?/i.exec(kid);
  if (!match) return kid;
  const [, vault, name, version] = match;
  if (version === undefined) return `${vault}/${name} (versionless)`;
  // Real versions are 32 hex characters; anything else (a dry run's placeholder) is shown whole.
  return `${vault}/${name}@${/^[0-9a-f]{32}$/i.test(version) ? version.slice(0, 8) : version}`;
}
