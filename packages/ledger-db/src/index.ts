export type { DatabasePool, DatabaseTransactionConnection } from "slonik";
export { sql } from "slonik";
export * from "./LedgerDb.ts";
export * from "./LedgerDbError.ts";
export * from "./migrate.ts";
export * from "./pool.ts";
export * from "./readModel.ts";
export * from "./strayConnectionErrors.ts";
