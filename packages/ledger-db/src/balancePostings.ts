// Account balances and postings: limited accounts locked while the plan decides, then the balances moved
// and the postings numbered in their accounts from what the upsert returned.
import type { DatabaseTransactionConnection } from "slonik";
import { sql } from "slonik";
import { LedgerDbError, violatesCheck } from "./LedgerDbError.ts";
import type { LimitedBalance, NumberedPosting, PostingInsert } from "./ledgerRows.ts";

export const retryBecause = (message: string, cause?: unknown) =>
  new LedgerDbError({ reason: "SERIALIZATION_FAILURE", message: `write batch: ${message}`, cause });

/** A balance row's key: ledger account and currency. */
export const balanceKey = (ledgerAccount: string, currency: string) => `${ledgerAccount}\u0000${currency}`;

/**
 * The limited accounts among those a batch may move, their balance rows locked FOR UPDATE in a fixed order,
 * so the plan decides each debit against the balance as it stands and no other batch moves it meanwhile.
 * Only limited rows are locked here (a partial index finds them); every other balance row is locked by the
 * balance upsert at the end of the batch, for as short a time as before limits existed. A PUT of a limit
 * upserts the same row, so it waits for this batch, and this batch for it.
 */
export const lockLimitedBalances = async (
  tx: DatabaseTransactionConnection,
  accounts: readonly { readonly ledger_account: string; readonly currency: string }[],
): Promise<ReadonlyMap<string, LimitedBalance>> => {
  if (accounts.length === 0) return new Map();
  const rows = (await tx.any(sql.unsafe`
    SELECT b.ledger_account, trim(b.currency) AS currency, b.balance_minor, b.overdraft_limit_minor
    FROM account_balances AS b
    JOIN json_to_recordset(${sql.json(accounts.map((a) => ({ ledger_account: a.ledger_account, currency: a.currency })))})
      AS k(ledger_account text, currency text)
      ON b.ledger_account = k.ledger_account AND b.currency = k.currency::char(3)
    WHERE b.overdraft_limit_minor IS NOT NULL
    ORDER BY b.ledger_account, b.currency
    FOR UPDATE OF b`)) as readonly {
    ledger_account: string;
    currency: string;
    balance_minor: string | bigint;
    overdraft_limit_minor: string | bigint;
  }[];
  return new Map(
    rows.map((row) => [
      balanceKey(row.ledger_account, row.currency),
      {
        ledger_account: row.ledger_account,
        currency: row.currency,
        balance_minor: BigInt(row.balance_minor),
        overdraft_limit_minor: BigInt(row.overdraft_limit_minor),
      },
    ]),
  );
};

/** Sums postings per account and currency, with their count, in lock order (a fixed order: no deadlock). */
export const balanceDeltas = (postings: readonly PostingInsert[]) => {
  const totals = new Map<
    string,
    { ledger_account: string; currency: string; delta_minor: bigint; count: bigint }
  >();
  for (const posting of postings) {
    const key = balanceKey(posting.ledger_account, posting.currency);
    const current = totals.get(key);
    totals.set(key, {
      ledger_account: posting.ledger_account,
      currency: posting.currency,
      delta_minor: (current?.delta_minor ?? 0n) + posting.amount_minor,
      count: (current?.count ?? 0n) + 1n,
    });
  }
  return [...totals.values()].sort((a, b) =>
    a.ledger_account === b.ledger_account
      ? a.currency.localeCompare(b.currency)
      : a.ledger_account < b.ledger_account
        ? -1
        : 1,
  );
};

/** An account's balance row after the batch's upsert. */
export interface BalanceAfter {
  readonly balance_minor: bigint;
  readonly last_seq: bigint;
  /** The time the batch's postings of it carry (timestamptz text, exact to the microsecond). */
  readonly posted_at?: string;
}

/**
 * Numbers the batch's postings in their accounts, in batch order: each account's first posting of the batch
 * follows the row as it stood before (the row after the upsert, less the batch's sum and count).
 */
export const numberPostings = (
  postings: readonly PostingInsert[],
  after: ReadonlyMap<string, BalanceAfter>,
): NumberedPosting[] => {
  const deltas = new Map(
    balanceDeltas(postings).map((d) => [balanceKey(d.ledger_account, d.currency), d] as const),
  );
  const running = new Map<string, { balance: bigint; seq: bigint }>();
  return postings.map((posting) => {
    const key = balanceKey(posting.ledger_account, posting.currency);
    let account = running.get(key);
    if (!account) {
      const row = after.get(key);
      const delta = deltas.get(key);
      if (!row || !delta) throw new Error(`numberPostings: no balance row for ${posting.ledger_account}`);
      account = { balance: row.balance_minor - delta.delta_minor, seq: row.last_seq - delta.count };
      running.set(key, account);
    }
    account.balance += posting.amount_minor;
    account.seq += 1n;
    return { ...posting, account_seq: account.seq, balance_after_minor: account.balance };
  });
};

/**
 * Moves the balances by the batch's postings (one upsert, each row once, in key order: the row locks are
 * held from here to the commit), then writes the postings numbered from what the upsert returned. An
 * account that turns out limited without the plan having decided against its locked balance got its limit
 * while the batch was deciding: the batch retries, and its new plan sees the limit.
 *
 * The postings' time: the batch's (`postedAt`, the time its transactions are posted at), or the account's
 * last posting time when that is later (a batch that took its time before another one's commit and then
 * waited for the row), kept in the balance row's updated_at. So an account's postings never go back in
 * time, and a limited account's (whose row the batch locked before taking its time) carry exactly the
 * batch's time, as its refusals do.
 */
export const postBalances = async (
  tx: DatabaseTransactionConnection,
  postings: readonly PostingInsert[],
  limited: ReadonlySet<string>,
  postedAt: Date,
) => {
  if (postings.length === 0) return;
  const rows = (await tx
    .any(sql.unsafe`
      INSERT INTO account_balances (ledger_account, currency, balance_minor, last_seq, updated_at)
      SELECT d.ledger_account, d.currency, d.delta_minor, d.count, ${postedAt.toISOString()}::timestamptz
      FROM json_to_recordset(${sql.json(
        balanceDeltas(postings).map((d) => ({
          ...d,
          delta_minor: d.delta_minor.toString(),
          count: d.count.toString(),
        })),
      )}) AS d(ledger_account text, currency text, delta_minor bigint, count bigint)
      ORDER BY d.ledger_account, d.currency
      ON CONFLICT (ledger_account, currency) DO UPDATE
        SET balance_minor = account_balances.balance_minor + EXCLUDED.balance_minor,
          last_seq = account_balances.last_seq + EXCLUDED.last_seq,
          updated_at = greatest(account_balances.updated_at, EXCLUDED.updated_at)
      RETURNING ledger_account, trim(currency) AS currency, balance_minor, last_seq, updated_at::text AS posted_at,
        overdraft_limit_minor IS NOT NULL AS has_limit`)
    .catch((error: unknown) => {
      // The limit CHECK: only a limit set while the batch was deciding can make the plan break it.
      if (violatesCheck(error, "account_balances_within_limit"))
        throw retryBecause("an account got an overdraft limit while the batch was deciding", error);
      throw error;
    })) as readonly {
    ledger_account: string;
    currency: string;
    balance_minor: string | bigint;
    last_seq: string | bigint;
    posted_at: string;
    has_limit: boolean;
  }[];
  const after = new Map<string, BalanceAfter>();
  for (const row of rows) {
    const key = balanceKey(row.ledger_account, row.currency);
    if (row.has_limit && !limited.has(key))
      throw retryBecause(`${row.ledger_account} got an overdraft limit while the batch was deciding`);
    after.set(key, {
      balance_minor: BigInt(row.balance_minor),
      last_seq: BigInt(row.last_seq),
      posted_at: row.posted_at,
    });
  }
  await tx.query(sql.unsafe`
    INSERT INTO postings (transaction_id, ledger_account, currency, amount_minor, account_seq, balance_after_minor,
      created_at)
    SELECT p.transaction_id, p.ledger_account, p.currency, p.amount_minor, p.account_seq, p.balance_after_minor,
      p.created_at
    FROM json_to_recordset(${sql.json(
      numberPostings(postings, after).map((p) => ({
        ...p,
        amount_minor: p.amount_minor.toString(),
        account_seq: p.account_seq.toString(),
        balance_after_minor: p.balance_after_minor.toString(),
        created_at: after.get(balanceKey(p.ledger_account, p.currency))?.posted_at,
      })),
    )})
      AS p(transaction_id uuid, ledger_account text, currency text, amount_minor bigint, account_seq bigint,
        balance_after_minor bigint, created_at timestamptz)`);
};
