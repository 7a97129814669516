// Plain aligned text tables for terminals (no colours: output is often piped or pasted into tickets).
const width = (text: string) => [...text].length;

export const renderTable = (headers: readonly string[], rows: readonly (readonly string[])[]): string => {
  const widths = headers.map((header, column) =>
    Math.max(width(header), ...rows.map((row) => width(row[column] ?? ""))),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column]!))
      .join("  ")
      .trimEnd();
  return [line(headers), line(widths.map((w) => "-".repeat(w))), ...rows.map(line)].join("\n");
};

/** JSON that survives bigint and Buffer values (money is bigint; payloads are bytes). */
export const toJson = (value: unknown): string =>
  JSON.stringify(
    value,
    (_key, item) => {
      if (typeof item === "bigint") return item.toString();
      if (
        item &&
        typeof item === "object" &&
        (item as { type?: string }).type === "Buffer" &&
        Array.isArray((item as { data?: unknown }).data)
      ) {
        return Buffer.from((item as { data: number[] }).data).toString("hex");
      }
      return item;
    },
    2,
  );

export const truncate = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max - 1)}…`;
