export type { DatabasePool, DatabaseTransactionConnection } from "slonik";
export { sql } from "slonik";
export * from "./accountLimits.ts";
export * from "./accountReads.ts";
export {
  type BalanceAfter,
  balanceDeltas,
  balanceKey,
  lockLimitedBalances,
  numberPostings,
} from "./balancePostings.ts";
export {
  LEDGER_CHECKS,
  type LedgerCheckName,
  type LedgerCheckResult,
  type LedgerOffender,
} from "./checks/checkResult.ts";
export * from "./checks/doubleEntry.ts";
export * from "./checks/events.ts";
export * from "./checks/kinds.ts";
export * from "./LedgerDb.ts";
export * from "./LedgerDbError.ts";
export * from "./LedgerWrites.ts";
export * from "./ledgerChecks.ts";
export * from "./ledgerRows.ts";
export * from "./migrate.ts";
export * from "./OutboxStore.ts";
export { OUTBOX_CHANNEL } from "./outboxEvents.ts";
export * from "./partitionClaims.ts";
export * from "./pool.ts";
export * from "./positionDecisions.ts";
export * from "./positions.ts";
export * from "./readModel.ts";
export { lockOriginals } from "./refundTotals.ts";
export { lockPositions, readPositions, storedPositionOf, storePositions } from "./storedPositions.ts";
export * from "./strayConnectionErrors.ts";
export { existingRows } from "./transactionRows.ts";
