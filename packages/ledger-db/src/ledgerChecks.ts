// The ledger's invariants, checked against what Postgres holds: one definition that `ledgerline reconcile`,
// the tests' invariants (testkit assertLedgerInvariants) and the chaos checker all run. Each check is one
// set-based query (aggregated per transaction or per account, or window functions over the postings in
// account order for the statements; never all rows in JS), or, for the legs, a cursor streamed in batches so
// the legs come from @ledgerline/domain, as the sink's do. Each returns how many rows it checked, how many
// offend, and the first `limit` offenders (ids, accounts or an account's posting).
// The checks live by family in checks/ (doubleEntry, kinds, events); this file runs them in order.
import type { DatabasePool } from "slonik";
import type { LedgerCheckName, LedgerCheckResult } from "./checks/checkResult.ts";
import { checkBalances, checkLimits, checkPostings, checkStatements } from "./checks/doubleEntry.ts";
import { checkLegs, checkRefunds, checkSharedAccounts } from "./checks/kinds.ts";

/** Every check but the events (which need what was published): in order, each over the whole ledger. */
export const reconcileLedger = async (
  pool: DatabasePool,
  options: {
    readonly limit?: number;
    readonly onCheck?: (name: LedgerCheckName) => void;
    readonly onLegsProgress?: (checked: number) => void;
  } = {},
): Promise<LedgerCheckResult[]> => {
  const limit = options.limit ?? 20;
  const results: LedgerCheckResult[] = [];
  const run = async (name: LedgerCheckName, check: () => Promise<LedgerCheckResult>) => {
    options.onCheck?.(name);
    results.push(await check());
  };
  await run("postings", () => checkPostings(pool, limit));
  await run("balances", () => checkBalances(pool, limit));
  await run("statements", () => checkStatements(pool, limit));
  await run("limits", () => checkLimits(pool, limit));
  await run("legs", () => checkLegs(pool, limit, options.onLegsProgress));
  await run("refunds", () => checkRefunds(pool, limit));
  await run("shared-accounts", () => checkSharedAccounts(pool, limit));
  return results;
};
