// The transaction kinds' checks: each posted transaction's legs are its kind's (streamed through a cursor
// so the legs come from @ledgerline/domain, as the sink's do), refunds within their originals, and
// customer accounts posted only by their own client.
import { legsOfRecorded, refundLegs } from "@ledgerline/domain";
import { type DatabasePool, sql } from "slonik";
import { aggregate, type Db, type LedgerOffender, timed, UNBOUNDED } from "./checkResult.ts";

/** Originals with refunds (or a refunded_minor): posted, refunds within the amount, equal to refunded_minor. */
export const checkRefunds = (db: Db, limit = 20) =>
  timed("refunds", () =>
    aggregate(
      db,
      sql.fragment`
        SELECT o.transaction_id::text AS id,
          o.status || ', amount ' || coalesce(o.amount_minor::text, '-') || ', refunds '
            || coalesce(r.refunded, 0) || ', refunded_minor ' || o.refunded_minor AS detail,
          coalesce(r.refunded, 0) > o.amount_minor OR coalesce(r.refunded, 0) <> o.refunded_minor
            OR o.status <> 'posted' AS bad
        FROM transactions o
        LEFT JOIN (
          SELECT original_transaction_id AS id, sum(amount_minor) AS refunded FROM transactions
          WHERE type = 'refund' AND status = 'posted' GROUP BY original_transaction_id
        ) r ON r.id = o.transaction_id
        WHERE r.id IS NOT NULL OR o.refunded_minor <> 0`,
      limit,
    ),
  );

/** Customer accounts ("customer:<client>:<account>") posted by a transaction of another client. */
export const checkSharedAccounts = (db: Db, limit = 20) =>
  timed("shared-accounts", () =>
    aggregate(
      db,
      sql.fragment`
        SELECT p.ledger_account AS id,
          'posted by ' || min(coalesce(t.client_id, 'external')) || CASE
            WHEN min(coalesce(t.client_id, 'external')) <> max(coalesce(t.client_id, 'external'))
            THEN ' and ' || max(coalesce(t.client_id, 'external')) ELSE '' END AS detail,
          bool_or(left(p.ledger_account, 10 + length(coalesce(t.client_id, 'external')))
            <> 'customer:' || coalesce(t.client_id, 'external') || ':') AS bad
        FROM postings p JOIN transactions t USING (transaction_id)
        WHERE left(p.ledger_account, 9) = 'customer:'
        GROUP BY p.ledger_account`,
      limit,
    ),
  );

type Kinded = {
  type: string;
  client_id: string | null;
  account_id: string;
  merchant_name: string;
  counterparty_account_id: string | null;
};

type LegRow = Kinded & {
  transaction_id: string;
  amount_minor: string;
  original: Kinded | null;
  accounts: readonly string[] | null;
  amounts: readonly string[] | null;
};

/** The legs a posted row's kind books: its own, or for a refund its original's reversed. */
const expectedLegs = (row: LegRow) => {
  if (row.type !== "refund") return legsOfRecorded(row);
  const original = row.original && legsOfRecorded(row.original);
  return original ? refundLegs(original) : undefined;
};

const rightLegs = (row: LegRow): boolean => {
  const legs = expectedLegs(row);
  if (!legs || row.accounts?.length !== 2 || !row.amounts) return false;
  const amount = BigInt(row.amount_minor);
  const posted = new Map(row.accounts.map((account, i) => [account, BigInt(row.amounts?.[i] ?? "0")]));
  return posted.get(legs.debit) === -amount && posted.get(legs.credit) === amount;
};

/** As many rows as each FETCH below reads. */
const LEGS_BATCH = 20_000;

/**
 * Posted transactions whose postings are not their kind's legs (with the amount's signs). A cursor over one
 * hash-joined pass (postings aggregated per transaction), fetched in batches: memory stays at one batch.
 * `onProgress` gets the rows checked so far.
 */
export const checkLegs = (pool: DatabasePool, limit = 20, onProgress?: (checked: number) => void) =>
  timed("legs", () =>
    pool.transaction(async (tx) => {
      // A cursor's plan otherwise favours the first rows (nested loops over random ids): read it all.
      await tx.query(sql.unsafe`SET LOCAL cursor_tuple_fraction = 1`);
      await tx.query(UNBOUNDED);
      await tx.query(sql.unsafe`
        DECLARE ledger_legs NO SCROLL CURSOR FOR
        SELECT t.transaction_id::text AS transaction_id, t.type, t.client_id, t.account_id, t.merchant_name,
          t.counterparty_account_id, t.amount_minor::text AS amount_minor,
          CASE WHEN o.transaction_id IS NULL THEN NULL ELSE json_build_object('type', o.type,
            'client_id', o.client_id, 'account_id', o.account_id, 'merchant_name', o.merchant_name,
            'counterparty_account_id', o.counterparty_account_id) END AS original,
          p.accounts, p.amounts
        FROM transactions t
        LEFT JOIN (
          SELECT transaction_id, array_agg(ledger_account) AS accounts, array_agg(amount_minor::text) AS amounts
          FROM postings GROUP BY transaction_id
        ) p USING (transaction_id)
        LEFT JOIN transactions o ON o.transaction_id = t.original_transaction_id AND t.type = 'refund'
        WHERE t.status = 'posted'`);
      let checked = 0;
      let findings = 0;
      const offenders: LedgerOffender[] = [];
      for (;;) {
        const rows = (await tx.any(sql.unsafe`FETCH 20000 FROM ledger_legs`)) as readonly LegRow[];
        for (const row of rows) {
          if (rightLegs(row)) continue;
          findings += 1;
          if (offenders.length < limit) offenders.push({ id: row.transaction_id, detail: row.type });
        }
        checked += rows.length;
        onProgress?.(checked);
        if (rows.length < LEGS_BATCH) break;
      }
      await tx.query(sql.unsafe`CLOSE ledger_legs`);
      return { checked, findings, offenders };
    }),
  );

export interface KindViolations {
  /** Posted transactions whose two postings are not the legs their kind books, with the amount's signs. */
  readonly wrongLegs: readonly string[];
  /** Originals whose posted refunds add up past their amount, or to other than their refunded_minor. */
  readonly refundsOverOriginal: readonly string[];
  /** Customer accounts posted to by a transaction of another client than the account's owner. */
  readonly sharedAccounts: readonly string[];
}

/** The kinds' checks (legs, refunds, shared accounts), their offenders' ids or accounts only. */
export const kindViolations = async (pool: DatabasePool, limit = 5): Promise<KindViolations> => {
  const [legs, refunds, shared] = [
    await checkLegs(pool, limit),
    await checkRefunds(pool, limit),
    await checkSharedAccounts(pool, limit),
  ];
  return {
    wrongLegs: legs.offenders.map((o) => `${o.id} (${o.detail})`),
    refundsOverOriginal: refunds.offenders.map((o) => o.id),
    sharedAccounts: shared.offenders.map((o) => o.id),
  };
};
