// The limited accounts a batch moves, as the plan walks it: each debit decided against the balance as it
// stands (the row the writer locked, plus what the batch already posted). Pure. Accounts without a limit
// are not tracked: nothing is decided on their balance, and the writer numbers every posting when it
// writes the balances (numberPostings).
import { type Legs, postingsOf } from "@ledgerline/domain";
import { balanceKey, type LimitedBalance, type PostingInsert } from "@ledgerline/ledger-db";

/** Whether a debit fits its account's overdraft limit. */
export type Funds =
  | { readonly _tag: "Fits" }
  | {
      readonly _tag: "Insufficient";
      readonly ledgerAccount: string;
      readonly balanceMinor: bigint;
      readonly limitMinor: bigint;
    };

/** A debit of `amountMinor` fits unless it takes the account below minus its limit. */
export const fundsFor = (account: LimitedBalance, amountMinor: bigint): Funds =>
  account.balance_minor - amountMinor < -account.overdraft_limit_minor
    ? {
        _tag: "Insufficient",
        ledgerAccount: account.ledger_account,
        balanceMinor: account.balance_minor,
        limitMinor: account.overdraft_limit_minor,
      }
    : { _tag: "Fits" };

export interface BatchBalances {
  /** Would debiting `legs.debit` by the amount keep it within its limit (always, for an unlimited one)? */
  readonly funds: (legs: Legs, currency: string, amountMinor: bigint) => Funds;
  /** Posts the amount between the legs: the two postings, and the limited balances moved by them. */
  readonly post: (
    transactionId: string,
    legs: Legs,
    currency: string,
    amountMinor: bigint,
  ) => PostingInsert[];
}

/** The batch's limited balances, starting from the rows the writer locked (lockLimitedBalances). */
export const batchBalances = (limited: ReadonlyMap<string, LimitedBalance>): BatchBalances => {
  const running = new Map(limited);
  return {
    funds: (legs, currency, amountMinor) => {
      const account = running.get(balanceKey(legs.debit, currency));
      return account ? fundsFor(account, amountMinor) : { _tag: "Fits" };
    },
    post: (transactionId, legs, currency, amountMinor) =>
      postingsOf(legs, amountMinor).map(({ ledgerAccount, amountMinor: amount }) => {
        const key = balanceKey(ledgerAccount, currency);
        const account = running.get(key);
        if (account) running.set(key, { ...account, balance_minor: account.balance_minor + amount });
        return {
          transaction_id: transactionId,
          ledger_account: ledgerAccount,
          currency,
          amount_minor: amount,
        };
      }),
  };
};
