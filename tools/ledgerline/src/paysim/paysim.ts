// PaySim CSV rows → ledgerline transactions. Pure: the seed and the simulator share this mapping.
import {
  type CurrencyCode,
  exponentOf,
  isSupportedCurrency,
  type TransactionType,
  toMinorUnits,
} from "@ledgerline/domain";
import type { Options } from "csv-parse";
import { parse } from "csv-parse/sync";
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

/** A record as csv-parse hands it over: cells by header name (a short row lacks the last ones). */
type CsvRecord = Readonly<Record<string, string | undefined>>;

/** Where a file is not PaySim's: thrown while its header is read, before any row. */
const checkHeader = (header: string[]): string[] => {
  const missing = PAYSIM_COLUMNS.filter((column) => !header.includes(column));
  if (missing.length > 0)
    throw new PaysimFormatError(`not a PaySim CSV: missing column(s) ${missing.join(", ")}`);
  return header;
};

/**
 * csv-parse's options for a PaySim file, streamed (load.ts) or whole (parsePaysim): columns are matched
 * by header name, cells trimmed, blank lines skipped, and a row short of cells keeps them empty (its
 * mapping then says what is wrong with it, by line). `line` is the row's line in the file, 1 the header.
 */
export const PAYSIM_CSV_OPTIONS = {
  bom: true,
  trim: true,
  skip_empty_lines: true,
  relax_column_count: true,
  columns: checkHeader,
  on_record: (record: CsvRecord, context: { readonly lines: number }) =>
    Object.fromEntries([
      ...PAYSIM_COLUMNS.map((column) => [column, record[column] ?? ""] as const),
      ["line", context.lines] as const,
    ]) as PaysimRow,
} satisfies Options<PaysimRow, CsvRecord>;

/** Parses a whole CSV text (tests, small files); the loader streams with the same options. */
export const parsePaysim = (text: string): PaysimRow[] =>
  parse<PaysimRow, CsvRecord>(text, PAYSIM_CSV_OPTIONS);

export interface MappingOptions {
  readonly currency: CurrencyCode;
  readonly baseDate: Date;
}

/**
 * PaySim's types as our kinds. In PaySim the origin's balance goes up for CASH_IN and down for every
 * other type, so nameOrig is always the account: a PAYMENT pays the merchant nameDest, a TRANSFER goes to
 * the customer nameDest, CASH_IN and CASH_OUT move cash in and out, a DEBIT is a transfer out to a bank.
 */
export const PAYSIM_KINDS: Readonly<Record<string, TransactionType>> = {
  PAYMENT: "payment",
  TRANSFER: "transfer",
  CASH_IN: "cash_in",
  CASH_OUT: "cash_out",
  DEBIT: "debit",
};

/**
 * One row in our model: nameOrig → account; nameDest → the merchant of a payment, the counterparty of a
 * transfer, and metadata `paysim_name_dest` for the kinds with no field for it; type → kind (and metadata
 * `paysim_type`); flags → metadata and risk flags.
 */
export interface PaysimTransaction {
  readonly transactionId: string;
  readonly type: TransactionType;
  readonly accountId: string;
  /** Decimal text as PaySim wrote it (what the HTTP API takes). */
  readonly amount: string;
  readonly amountMinor: bigint;
  readonly currency: CurrencyCode;
  /** A payment's merchant; empty for the other kinds (as the pipeline records them). */
  readonly merchantName: string;
  /** A transfer's receiving account; null for the other kinds. */
  readonly counterpartyAccountId: string | null;
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
  const type = PAYSIM_KINDS[row.type];
  if (type === undefined)
    return {
      ok: false,
      line: row.line,
      message: `type ${row.type} is not one of PaySim's (${Object.keys(PAYSIM_KINDS).join(", ")})`,
    };
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
      type,
      accountId: row.nameOrig,
      amount,
      amountMinor: parsed.minor,
      currency: options.currency,
      merchantName: type === "payment" ? row.nameDest : "",
      counterpartyAccountId: type === "transfer" ? row.nameDest : null,
      occurredAt: new Date(options.baseDate.getTime() + step * HOUR_MS),
      metadata: {
        paysim_type: row.type,
        paysim_step: row.step,
        paysim_is_fraud: row.isFraud,
        paysim_is_flagged_fraud: row.isFlaggedFraud,
        ...(type === "payment" || type === "transfer" ? {} : { paysim_name_dest: row.nameDest }),
      },
      riskFlags,
    },
  };
};
