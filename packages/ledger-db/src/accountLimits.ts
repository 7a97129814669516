// Overdraft limits, set and removed by the gateway (PUT/DELETE /v1/accounts/{id}/limits). The limit lives
// on the account's balance row: each write is one statement that takes that row's lock, so it waits for a
// sink batch moving the balance and then decides on its result; the sink, in turn, reads the limit under
// the same lock (lockLimitedBalances), and retries a batch that finds a limit it did not decide under.
// The CHECK account_balances_within_limit is the last line behind both.
import { type CommonQueryMethods, sql } from "slonik";
import { violatesCheck } from "./LedgerDbError.ts";

export type SetLimitOutcome =
  | { readonly kind: "set" }
  /** The balance already breaks the limit: it is left as it was. `balance_minor`: the balance now. */
  | { readonly kind: "below_balance"; readonly balance_minor: bigint };

/**
 * Sets `currency`'s overdraft limit of `ledgerAccount` (≥ 0 minor units): the balance may go down to
 * −limit and no further. An account nothing was posted on gets its balance row (balance 0), so a limit
 * can be set before the first debit. Refused (nothing written) when the balance is already below −limit.
 */
export const setAccountLimit = async (
  db: CommonQueryMethods,
  limit: { ledgerAccount: string; currency: string; limitMinor: bigint; updatedBy: string },
): Promise<SetLimitOutcome> => {
  const currentBalance = async (): Promise<SetLimitOutcome> => {
    const balance = await db.maybeOneFirst(sql.unsafe`
      SELECT balance_minor FROM account_balances
      WHERE ledger_account = ${limit.ledgerAccount} AND currency = ${limit.currency}`);
    return { kind: "below_balance", balance_minor: (balance as bigint | null) ?? 0n };
  };
  try {
    const set = await db.maybeOneFirst(sql.unsafe`
      INSERT INTO account_balances (ledger_account, currency, overdraft_limit_minor, limit_updated_at, limit_updated_by)
      VALUES (${limit.ledgerAccount}, ${limit.currency}, ${limit.limitMinor.toString()}::bigint, now(), ${limit.updatedBy})
      ON CONFLICT (ledger_account, currency) DO UPDATE
        SET overdraft_limit_minor = EXCLUDED.overdraft_limit_minor,
            limit_updated_at = EXCLUDED.limit_updated_at,
            limit_updated_by = EXCLUDED.limit_updated_by
        WHERE account_balances.balance_minor >= -EXCLUDED.overdraft_limit_minor
      RETURNING balance_minor`);
    return set === null ? await currentBalance() : { kind: "set" };
  } catch (error) {
    if (violatesCheck(error, "account_balances_within_limit")) return await currentBalance();
    throw error;
  }
};

/** Removes `currency`'s overdraft limit (the row and its balance stay); false when it had none. */
export const removeAccountLimit = async (
  db: CommonQueryMethods,
  limit: { ledgerAccount: string; currency: string; updatedBy: string },
): Promise<boolean> =>
  (await db.maybeOneFirst(sql.unsafe`
    UPDATE account_balances
    SET overdraft_limit_minor = NULL, limit_updated_at = now(), limit_updated_by = ${limit.updatedBy}
    WHERE ledger_account = ${limit.ledgerAccount} AND currency = ${limit.currency}
      AND overdraft_limit_minor IS NOT NULL
    RETURNING 1`)) !== null;
