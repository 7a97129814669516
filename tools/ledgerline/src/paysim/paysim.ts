// PaySim CSV rows → ledgerline transactions. Pure: the seed and the simulator share this mapping.
import { type CurrencyCode, exponentOf, isSupportedCurrency, toMinorUnits } from "@ledgerline/domain";
import { v5 as uuidv5 } from "uuid";

/** The public PaySim data set's columns, in its order. */
export const PAYSIM_COLUMNS = [
  "step",
  "type",
  "amount",
  "nameOrig",
  "oldbalanceOrg",
  "newbalanceOrig",
  "nameDest",
  "oldbalanceDest",
  "newbalanceDest",
  "isFraud",
  "isFlaggedFraud",
] as const;

export type PaysimRow = Readonly<Record<(typeof PAYSIM_COLUMNS)[number], string>> & { readonly line: number };

/** Fixed namespace for transaction ids derived from rows: the same row always gets the same id. */
const PAYSIM_NAMESPACE = "6f1f3c52-6a1e-4b8e-9d4c-3f0b7c1e2a90";
/** PaySim's `step` is an hour of the simulation; step 1 starts here. */
export const DEFAULT_BASE_DATE = new Date("2024-01-01T00:00:00Z");
const HOUR_MS = 3_600_000;

export class PaysimFormatError extends Error {
  override readonly name = "PaysimFormatError";
}

/** Parses the CSV text. PaySim has no quoted fields; columns are matched by header name. */
export const parsePaysim = (text: string): PaysimRow[] => {
  const lines = text.split(/\r?\n/);
  const header = (lines[0] ?? "").split(",").map((cell) => cell.trim());
  const missing = PAYSIM_COLUMNS.filter((column) => !header.includes(column));
  if (missing.length > 0)
    throw new PaysimFormatError(`not a PaySim CSV: missing column(s) ${missing.join(", ")}`);
  const index = Object.fromEntries(PAYSIM_COLUMNS.map((column) => [column, header.indexOf(column)]));
  const rows: PaysimRow[] = [];
  for (let line = 1; line < lines.length; line++) {
    const raw = lines[line]!;
    if (raw.trim() === "") continue;
    const cells = raw.split(",");
    const row = Object.fromEntries(
      PAYSIM_COLUMNS.map((column) => [column, (cells[index[column]!] ?? "").trim()]),
    );
    rows.push({ ...(row as Record<(typeof PAYSIM_COLUMNS)[number], string>), line: line + 1 });
  }
  return rows;
};

export interface MappingOptions {
  readonly currency: CurrencyCode;
  readonly baseDate: Date;
}

/** One row in our model: nameOrig → account, nameDest → merchant, type → metadata, flags → risk flags. */
export interface PaysimTransaction {
  readonly transactionId: string;
  readonly accountId: string;
  /** Decimal text as PaySim wrote it (what the HTTP API takes). */
  readonly amount: string;
  readonly amountMinor: bigint;
  readonly currency: CurrencyCode;
  readonly merchantName: string;
  readonly occurredAt: Date;
  readonly metadata: Readonly<Record<string, string>>;
  readonly riskFlags: readonly string[];
}

export type Mapped =
  | { readonly ok: true; readonly transaction: PaysimTransaction }
  | { readonly ok: false; readonly line: number; readonly message: string };

/** Rounds PaySim's amounts (sometimes more decimals than the currency allows) half-up on the text. */
const normaliseAmount = (text: string, currency: CurrencyCode): string => {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return text;
  const exponent = exponentOf(currency);
  const [, whole, fraction = ""] = match;
  if (fraction.length <= exponent) return text;
  const scaled = BigInt(whole! + fraction.slice(0, exponent)) + (Number(fraction[exponent]) >= 5 ? 1n : 0n);
  const digits = scaled.toString().padStart(exponent + 1, "0");
  return exponent === 0 ? digits : `${digits.slice(0, -exponent)}.${digits.slice(-exponent)}`;
};

export const mapPaysimRow = (row: PaysimRow, options: MappingOptions): Mapped => {
  const step = Number(row.step);
  if (!Number.isInteger(step) || step < 0)
    return { ok: false, line: row.line, message: `step ${row.step} is not a whole number` };
  if (!isSupportedCurrency(options.currency))
    return { ok: false, line: row.line, message: `currency ${options.currency} is not supported` };
  const amount = normaliseAmount(row.amount, options.currency);
  const parsed = toMinorUnits(amount, options.currency, 10n ** 15n);
  if (!parsed.ok) return { ok: false, line: row.line, message: `amount ${row.amount}: ${parsed.message}` };
  const riskFlags = [
    ...(row.isFraud === "1" ? ["PAYSIM_FRAUD"] : []),
    ...(row.isFlaggedFraud === "1" ? ["PAYSIM_LARGE_TRANSFER"] : []),
  ];
  return {
    ok: true,
    transaction: {
      // Derived from the row's content and position, so seeding or replaying a file twice reuses the ids.
      transactionId: uuidv5(
        `${row.line}|${PAYSIM_COLUMNS.map((column) => row[column]).join(",")}`,
        PAYSIM_NAMESPACE,
      ),
      accountId: row.nameOrig,
      amount,
      amountMinor: parsed.minor,
      currency: options.currency,
      merchantName: row.nameDest,
      occurredAt: new Date(options.baseDate.getTime() + step * HOUR_MS),
      metadata: {
        paysim_type: row.type,
        paysim_step: row.step,
        paysim_is_fraud: row.isFraud,
        paysim_is_flagged_fraud: row.isFlaggedFraud,
      },
      riskFlags,
    },
  };
};
