// One tagged error for everything the ledger database can do wrong; `reason` says whether retrying helps.
import { networkFailure } from "@ledgerline/resilience";
import { Schema } from "effect";

export const LedgerDbErrorReason = Schema.Literals([
  // Retryable: the database is (briefly) unavailable or asked us to try again.
  "CONNECTION_LOST",
  "CANNOT_CONNECT",
  "SERIALIZATION_FAILURE",
  "DEADLOCK",
  "ADMIN_SHUTDOWN",
  /** 25006: a replica after a failover, or default_transaction_read_only; a primary comes back. */
  "READ_ONLY",
  /** Class 53: disk full, out of memory, too many connections. */
  "RESOURCES_EXHAUSTED",
  /** 57014 statement timeout / cancel, 55P03 lock not available. */
  "TIMEOUT",
  /** Class 58: I/O errors of the server. */
  "SYSTEM_ERROR",
  // Not retryable: the statement or the data is wrong; the same input fails again.
  "CONSTRAINT_VIOLATION",
  "INVALID_DATA",
  /** Class 42 / 3F: a table, column or schema is missing: the migrations have not run. */
  "SCHEMA_MISSING",
  /** Class 28 / 3D000: wrong credentials, or the database does not exist: DATABASE_URL is wrong. */
  "NOT_AUTHORIZED",
  "QUERY_FAILED",
  /** A sink batch for partitions another instance claimed since this one's assignment (verifyClaims). */
  "TAKEN_OVER",
]);
export type LedgerDbErrorReason = typeof LedgerDbErrorReason.Type;

const retryableReasons: ReadonlySet<LedgerDbErrorReason> = new Set([
  "CONNECTION_LOST",
  "CANNOT_CONNECT",
  "SERIALIZATION_FAILURE",
  "DEADLOCK",
  "ADMIN_SHUTDOWN",
  "READ_ONLY",
  "RESOURCES_EXHAUSTED",
  "TIMEOUT",
  "SYSTEM_ERROR",
]);

export class LedgerDbError extends Schema.TaggedError<LedgerDbError>()("LedgerDbError", {
  reason: LedgerDbErrorReason,
  message: Schema.String,
  sqlState: Schema.optional(Schema.String),
  cause: Schema.optional(Schema.Defect()),
}) {
  get retryable(): boolean {
    return retryableReasons.has(this.reason);
  }
}

/** The error and its causes, looking through slonik's wrappers (at most five deep). */
const causesOf = (error: unknown): unknown[] => {
  const chain: unknown[] = [];
  for (let current = error; current && chain.length < 5; current = (current as { cause?: unknown }).cause)
    chain.push(current);
  return chain;
};

/** The SQLSTATE of a pg error. */
const sqlStateOf = (error: unknown): string | undefined =>
  causesOf(error)
    .map((cause) => (cause as { code?: unknown }).code)
    .find((code): code is string => typeof code === "string" && /^[0-9A-Z]{5}$/.test(code));

const violates =
  (sqlState: string) =>
  (error: unknown, constraint: string): boolean =>
    causesOf(error).some((cause) => {
      const { code, constraint: name } = cause as { code?: unknown; constraint?: unknown };
      return code === sqlState && name === constraint;
    });

/** True when `error` is a unique violation (23505) of `constraint`. */
export const violatesUnique = violates("23505");

/** True when `error` is a check violation (23514) of `constraint`. */
export const violatesCheck = violates("23514");

const messagesOf = (error: unknown): string =>
  causesOf(error)
    .map((cause) => String((cause as Error).message ?? cause))
    .join(" <- ");

/** By SQLSTATE (its class, mostly), then by the client's error text when there is no SQLSTATE. */
export const classifySqlState = (sqlState: string | undefined, text: string): LedgerDbErrorReason => {
  if (sqlState !== undefined) {
    if (sqlState === "40001") return "SERIALIZATION_FAILURE";
    if (sqlState === "40P01") return "DEADLOCK";
    if (sqlState === "57P01" || sqlState === "57P02") return "ADMIN_SHUTDOWN";
    if (sqlState === "57P03") return "CANNOT_CONNECT";
    if (sqlState === "57014" || sqlState === "55P03") return "TIMEOUT";
    if (sqlState === "25006") return "READ_ONLY";
    const sqlClass = sqlState.slice(0, 2);
    if (sqlClass === "08") return "CONNECTION_LOST";
    if (sqlClass === "53") return "RESOURCES_EXHAUSTED";
    if (sqlClass === "58") return "SYSTEM_ERROR";
    if (sqlClass === "23") return "CONSTRAINT_VIOLATION";
    if (sqlClass === "22") return "INVALID_DATA";
    if (sqlClass === "42" || sqlClass === "3F") return "SCHEMA_MISSING";
    if (sqlClass === "28" || sqlState === "3D000") return "NOT_AUTHORIZED";
  }
  if (/StatementTimeoutError|StatementCancelledError/.test(text)) return "TIMEOUT";
  // slonik refuses some values itself before sending them (a NUL byte in jsonb, an invalid input).
  if (/InvalidInputError|DataIntegrityError/.test(text)) return "INVALID_DATA";
  // The network (the one rule every client shares), then slonik's and pg's own words for the same.
  const network = networkFailure(text);
  if (network === "CannotConnect" || /cannot connect|ConnectionError|Failed to acquire/i.test(text))
    return "CANNOT_CONNECT";
  if (
    network === "ConnectionLost" ||
    /terminat|not queryable|BackendTerminated|Connection pool is being/i.test(text)
  )
    return "CONNECTION_LOST";
  return "QUERY_FAILED";
};

export const toLedgerDbError = (error: unknown, what: string): LedgerDbError => {
  if (error instanceof LedgerDbError) return error;
  const sqlState = sqlStateOf(error);
  const text = `${(error as Error)?.constructor?.name ?? ""} ${(error as Error)?.name ?? ""} ${messagesOf(error)}`;
  return new LedgerDbError({
    reason: classifySqlState(sqlState, text),
    message: `${what}: ${messagesOf(error)}`,
    sqlState,
    cause: error,
  });
};
