// The ledger's rules for kinds, refunds and account ownership, checked against what Postgres holds: each
// returns the offending ids or accounts (empty when the ledger is right), at most `limit` of them. The
// tests' invariants and the chaos checker read them; the legs come from @ledgerline/domain, as the sink's.
import { legsOf, refundLegs, type TransactionType } from "@ledgerline/domain";
import { type CommonQueryMethods, sql } from "slonik";

export interface KindViolations {
  /** Posted transactions whose two postings are not the legs their kind books, with the amount's signs. */
  readonly wrongLegs: readonly string[];
  /** Originals whose posted refunds add up past their amount, or to other than their refunded_minor. */
  readonly refundsOverOriginal: readonly string[];
  /** Customer accounts posted to by a transaction of another client than the account's owner. */
  readonly sharedAccounts: readonly string[];
}

type LegRow = {
  transaction_id: string;
  type: string;
  client_id: string | null;
  account_id: string;
  merchant_name: string;
  counterparty_account_id: string | null;
  amount_minor: bigint;
  original: {
    type: string;
    client_id: string | null;
    account_id: string;
    merchant_name: string;
    counterparty_account_id: string | null;
  } | null;
  postings: { ledger_account: string; amount_minor: string }[];
};

const expectedLegs = (row: LegRow) => {
  const of = (t: Omit<NonNullable<LegRow["original"]>, never>) =>
    legsOf({
      type: t.type as TransactionType,
      clientId: t.client_id ?? "external",
      accountId: t.account_id,
      merchantName: t.merchant_name,
      counterpartyAccountId: t.counterparty_account_id,
    });
  if (row.type !== "refund") return of(row);
  return row.original ? refundLegs(of(row.original)) : undefined;
};

const rightLegs = (row: LegRow): boolean => {
  const legs = expectedLegs(row);
  if (!legs || row.postings.length !== 2) return false;
  const amount = BigInt(row.amount_minor);
  const posted = new Map(row.postings.map((p) => [p.ledger_account, BigInt(p.amount_minor)]));
  return posted.get(legs.debit) === -amount && posted.get(legs.credit) === amount;
};

export const kindViolations = async (db: CommonQueryMethods, limit = 5): Promise<KindViolations> => {
  const legRows = (await db.any(sql.unsafe`
    SELECT t.transaction_id::text AS transaction_id, t.type, t.client_id, t.account_id, t.merchant_name,
      t.counterparty_account_id, t.amount_minor,
      CASE WHEN o.transaction_id IS NULL THEN NULL ELSE jsonb_build_object('type', o.type,
        'client_id', o.client_id, 'account_id', o.account_id, 'merchant_name', o.merchant_name,
        'counterparty_account_id', o.counterparty_account_id) END AS original,
      (SELECT coalesce(jsonb_agg(jsonb_build_object('ledger_account', p.ledger_account,
        'amount_minor', p.amount_minor::text)), '[]') FROM postings p
        WHERE p.transaction_id = t.transaction_id) AS postings
    FROM transactions t
    LEFT JOIN transactions o ON o.transaction_id = t.original_transaction_id AND t.type = 'refund'
    WHERE t.status = 'posted'`)) as readonly LegRow[];
  const wrongLegs = legRows
    .filter((row) => !rightLegs(row))
    .slice(0, limit)
    .map((row) => `${row.transaction_id} (${row.type})`);

  const refundsOverOriginal = (await db.anyFirst(sql.unsafe`
    SELECT o.transaction_id::text FROM transactions o
    LEFT JOIN (
      SELECT original_transaction_id AS id, sum(amount_minor) AS refunded FROM transactions
      WHERE type = 'refund' AND status = 'posted' GROUP BY original_transaction_id
    ) r ON r.id = o.transaction_id
    WHERE (r.id IS NOT NULL OR o.refunded_minor <> 0)
      AND (coalesce(r.refunded, 0) > o.amount_minor OR coalesce(r.refunded, 0) <> o.refunded_minor
        OR o.status <> 'posted')
    LIMIT ${limit}`)) as readonly string[];

  const sharedAccounts = (await db.anyFirst(sql.unsafe`
    SELECT DISTINCT p.ledger_account FROM postings p JOIN transactions t USING (transaction_id)
    WHERE left(p.ledger_account, 9) = 'customer:'
      AND left(p.ledger_account, 10 + length(coalesce(t.client_id, 'external')))
        <> 'customer:' || coalesce(t.client_id, 'external') || ':'
    LIMIT ${limit}`)) as readonly string[];

  return { wrongLegs, refundsOverOriginal, sharedAccounts };
};
