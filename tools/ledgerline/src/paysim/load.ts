// Reads a PaySim CSV file: the shipped sample by default, or the real paysim.csv a user drops in.
import { readFile } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { CurrencyCode } from "@ledgerline/domain";
import { DEFAULT_BASE_DATE, type Mapped, mapPaysimRow, parsePaysim } from "./paysim.ts";

/** data/paysim-sample.csv at the repository root. */
export const DEFAULT_PAYSIM_FILE = resolve(
  dirname(fileURLToPath(import.meta.url)),
  "../../../../data/paysim-sample.csv",
);

export const loadPaysim = async (
  file: string | undefined,
  options: { currency: CurrencyCode; baseDate?: Date; count?: number },
): Promise<Mapped[]> => {
  const path = file ?? DEFAULT_PAYSIM_FILE;
  const text = await readFile(path, "utf8");
  const rows = parsePaysim(text);
  const limited = options.count === undefined ? rows : rows.slice(0, options.count);
  return limited.map((row) =>
    mapPaysimRow(row, { currency: options.currency, baseDate: options.baseDate ?? DEFAULT_BASE_DATE }),
  );
};
