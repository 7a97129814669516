// The double-entry checks, each one set-based query: postings per transaction, balances against their
// postings, statements numbered and running in account order, limits kept.
import { sql } from "slonik";
import { aggregate, type Db, timed } from "./checkResult.ts";

/** Posted: two postings, one currency, sum zero. Not posted: no postings at all. */
export const checkPostings = (db: Db, limit = 20) =>
  timed("postings", () =>
    aggregate(
      db,
      sql.fragment`
        SELECT t.transaction_id::text AS id,
          t.status || ': ' || coalesce(p.n, 0) || ' posting(s), sum ' || coalesce(p.s::text, '-')
            || CASE WHEN p.min_currency <> p.max_currency THEN ', two currencies' ELSE '' END AS detail,
          CASE WHEN t.status = 'posted'
            THEN p.n IS DISTINCT FROM 2 OR p.s <> 0 OR p.min_currency <> p.max_currency
            ELSE p.n IS NOT NULL END AS bad
        FROM transactions t
        LEFT JOIN (
          SELECT transaction_id, count(*) AS n, sum(amount_minor) AS s,
            min(currency) AS min_currency, max(currency) AS max_currency
          FROM postings GROUP BY transaction_id
        ) p USING (transaction_id)`,
      limit,
    ),
  );

/**
 * account_balances against the postings, both ways: postings without a balance row, a balance row without
 * postings other than 0 (a limit set on an account nothing was posted to yet creates its row at 0).
 */
export const checkBalances = (db: Db, limit = 20) =>
  timed("balances", () =>
    aggregate(
      db,
      sql.fragment`
        SELECT coalesce(b.ledger_account, p.ledger_account) || ' ' || coalesce(b.currency, p.currency) AS id,
          'balance ' || coalesce(b.balance_minor::text, '-') || ', postings ' || coalesce(p.s::text, '-')
            AS detail,
          b.balance_minor IS DISTINCT FROM coalesce(p.s, 0) AS bad
        FROM account_balances b
        FULL JOIN (SELECT ledger_account, currency, sum(amount_minor) AS s FROM postings GROUP BY 1, 2) p
          USING (ledger_account, currency)`,
      limit,
    ),
  );

/**
 * The statements, streamed: one sort of the postings by account, currency and account_seq, window functions
 * over it, and only the offending rows kept. Per posting: its account_seq follows the previous one by 1
 * (the first is 1: a gap or a repeat is named once, where the run breaks), its created_at is not before the
 * previous one's (a statement reads by created_at, a balance as of a moment takes the last posting at or
 * before it), and its balance_after_minor is the running sum of amount_minor. The account's last posting
 * meets its balance row: last_seq is the number of postings, balance_minor the last balance_after. A
 * balance row without postings (a limit set first) has last_seq 0 and balance 0.
 */
export const checkStatements = (db: Db, limit = 20) =>
  timed("statements", () =>
    aggregate(
      db,
      sql.fragment`
        SELECT CASE WHEN p.ledger_account IS NULL THEN b.ledger_account || ' ' || b.currency
            ELSE p.ledger_account || ' ' || p.currency || ' #' || p.account_seq END AS id,
          concat_ws('; ',
            CASE WHEN p.ledger_account IS NOT NULL THEN 'transaction ' || p.transaction_id END,
            CASE WHEN p.account_seq <> p.previous_seq + 1 THEN CASE
              WHEN p.previous_seq = 0 THEN 'first seq ' || p.account_seq || ', expected 1'
              WHEN p.account_seq = p.previous_seq THEN 'seq ' || p.account_seq || ' repeated'
              ELSE 'seq ' || p.account_seq || ' after ' || p.previous_seq END END,
            CASE WHEN p.created_at < p.previous_at
              THEN 'created_at ' || p.created_at || ' before the previous posting''s ' || p.previous_at END,
            CASE WHEN p.balance_after_minor <> p.running
              THEN 'balance_after ' || p.balance_after_minor || ', expected ' || p.running END,
            CASE WHEN p.last AND b.ledger_account IS NULL THEN 'no balance row' END,
            CASE WHEN b.ledger_account IS NOT NULL AND b.last_seq <> coalesce(p.n, 0)
              THEN 'last_seq ' || b.last_seq || ', expected ' || coalesce(p.n, 0) END,
            CASE WHEN b.ledger_account IS NOT NULL AND b.balance_minor <> coalesce(p.balance_after_minor, 0)
              THEN 'balance ' || b.balance_minor || ', last balance_after '
                || coalesce(p.balance_after_minor, 0) END) AS detail,
          coalesce(p.account_seq <> p.previous_seq + 1 OR p.created_at < p.previous_at
            OR p.balance_after_minor <> p.running OR (p.last AND b.ledger_account IS NULL), false)
          OR coalesce(b.last_seq <> coalesce(p.n, 0) OR b.balance_minor <> coalesce(p.balance_after_minor, 0),
            false) AS bad
        FROM (
          SELECT ledger_account, currency, account_seq, transaction_id, created_at, balance_after_minor,
            coalesce(lag(account_seq) OVER w, 0) AS previous_seq,
            lag(created_at) OVER w AS previous_at,
            sum(amount_minor) OVER w AS running,
            row_number() OVER w AS n,
            lead(account_seq) OVER w IS NULL AS last
          FROM postings
          WINDOW w AS (PARTITION BY ledger_account, currency ORDER BY account_seq, transaction_id
                       ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
        ) p
        FULL JOIN account_balances b
          ON b.ledger_account = CASE WHEN p.last THEN p.ledger_account END AND b.currency = p.currency`,
      limit,
    ),
  );

/** Accounts with an overdraft limit: the balance is never below -limit (the table's CHECK says so too). */
export const checkLimits = (db: Db, limit = 20) =>
  timed("limits", () =>
    aggregate(
      db,
      sql.fragment`
        SELECT ledger_account || ' ' || currency AS id,
          'balance ' || balance_minor || ', overdraft limit ' || overdraft_limit_minor AS detail,
          overdraft_limit_minor < 0 OR balance_minor < -overdraft_limit_minor AS bad
        FROM account_balances
        WHERE overdraft_limit_minor IS NOT NULL`,
      limit,
    ),
  );
