// Slonik pool with exact money parsing: int8 → bigint, numeric → string (slonik's preset makes numeric a float).
import { createPool, createTypeParserPreset, type DatabasePool, type DriverTypeParser } from "slonik";

export interface LedgerPoolOptions {
  /** Batch pipeline: one connection per in-flight batch plus the relay and readers. */
  readonly maximumPoolSize?: number;
  readonly connectionTimeoutMs?: number;
}

export const exactTypeParsers: readonly DriverTypeParser[] = [
  ...createTypeParserPreset().filter((parser) => parser.name !== "int8" && parser.name !== "numeric"),
  { name: "int8", parse: (value: string) => BigInt(value) },
  { name: "numeric", parse: (value: string) => value },
];

export const createLedgerPool = (
  databaseUrl: string,
  options: LedgerPoolOptions = {},
): Promise<DatabasePool> =>
  createPool(databaseUrl, {
    typeParsers: exactTypeParsers,
    maximumPoolSize: options.maximumPoolSize ?? 8,
    connectionTimeout: options.connectionTimeoutMs ?? 5_000,
    idleTimeout: 30_000,
    // Retries are decided by the callers (Effect schedules on LedgerDbError.retryable), not hidden here.
    transactionRetryLimit: 0,
    queryRetryLimit: 0,
    connectionRetryLimit: 0,
  });
