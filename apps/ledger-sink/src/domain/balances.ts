// The balances a batch moves, as the plan walks it: each debit decided against the balance as it stands
// (the locked row, plus what the batch already posted), each posting numbered in its account and given the
// balance after it. Pure: the writer locked the rows (lockBalances); planBatch writes what the postings leave.
import { type Legs, postingsOf } from "@ledgerline/domain";
import { balanceKey, type LockedBalance, type PostingInsert } from "@ledgerline/ledger-db";

/** Whether a debit fits its account's overdraft limit. */
export type Funds =
  | { readonly _tag: "Fits" }
  | {
      readonly _tag: "Insufficient";
      readonly ledgerAccount: string;
      readonly balanceMinor: bigint;
      readonly limitMinor: bigint;
    };

/** A debit of `amountMinor` fits unless it takes a limited account below minus its limit. */
export const fundsFor = (
  account: { readonly balance: bigint; readonly limit: bigint | null },
  amountMinor: bigint,
): "Fits" | "Insufficient" =>
  account.limit !== null && account.balance - amountMinor < -account.limit ? "Insufficient" : "Fits";

interface Running {
  readonly ledgerAccount: string;
  readonly currency: string;
  balance: bigint;
  seq: bigint;
  readonly limit: bigint | null;
}

export interface BatchBalances {
  /** Would debiting `legs.debit` by the amount keep it within its limit? */
  readonly funds: (legs: Legs, currency: string, amountMinor: bigint) => Funds;
  /** Posts the amount between the legs: the two postings, numbered, with the balance after each. */
  readonly post: (
    transactionId: string,
    legs: Legs,
    currency: string,
    amountMinor: bigint,
  ) => PostingInsert[];
}

/**
 * The batch's balances, starting from the rows the writer locked. `locked` holds every account the writer
 * asked for (accountsTouched): one without a row starts at zero with no limit. An account outside it
 * was neither locked nor read, so deciding on it would be a guess: that is a defect, not a decision.
 */
export const batchBalances = (
  rows: ReadonlyMap<string, LockedBalance>,
  locked: ReadonlySet<string>,
): BatchBalances => {
  const running = new Map<string, Running>();
  const accountOf = (ledgerAccount: string, currency: string): Running => {
    const key = balanceKey(ledgerAccount, currency);
    const known = running.get(key);
    if (known) return known;
    if (!locked.has(key)) {
      throw new Error(
        `ledger-sink plan: account ${ledgerAccount} (${currency}) was not locked for this batch`,
      );
    }
    const row = rows.get(key);
    const start: Running = {
      ledgerAccount,
      currency,
      balance: row?.balance_minor ?? 0n,
      seq: row?.last_seq ?? 0n,
      limit: row?.overdraft_limit_minor ?? null,
    };
    running.set(key, start);
    return start;
  };
  return {
    funds: (legs, currency, amountMinor) => {
      const account = accountOf(legs.debit, currency);
      return fundsFor(account, amountMinor) === "Fits"
        ? { _tag: "Fits" }
        : {
            _tag: "Insufficient",
            ledgerAccount: account.ledgerAccount,
            balanceMinor: account.balance,
            limitMinor: account.limit ?? 0n,
          };
    },
    post: (transactionId, legs, currency, amountMinor) =>
      postingsOf(legs, amountMinor).map(({ ledgerAccount, amountMinor: amount }) => {
        const account = accountOf(ledgerAccount, currency);
        account.balance += amount;
        account.seq += 1n;
        return {
          transaction_id: transactionId,
          ledger_account: ledgerAccount,
          currency,
          amount_minor: amount,
          account_seq: account.seq,
          balance_after_minor: account.balance,
        };
      }),
  };
};
