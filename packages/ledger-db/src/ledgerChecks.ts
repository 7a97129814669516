// The ledger's invariants, checked against what Postgres holds: one definition that `ledgerline reconcile`,
// the tests' invariants (testkit assertLedgerInvariants) and the chaos checker all run. Each check is one
// set-based query (aggregated per transaction or per account, or window functions over the postings in
// account order for the statements; never all rows in JS), or, for the legs, a cursor streamed in batches so
// the legs come from @ledgerline/domain, as the sink's do. Each returns how many rows it checked, how many
// offend, and the first `limit` offenders (ids, accounts or an account's posting).
import { legsOfRecorded, refundLegs } from "@ledgerline/domain";
import { type DatabasePool, type DatabaseTransactionConnection, sql } from "slonik";

export type LedgerCheckName =
  | "postings"
  | "balances"
  | "statements"
  | "limits"
  | "legs"
  | "refunds"
  | "shared-accounts"
  | "events";

export interface LedgerCheckResult {
  readonly name: LedgerCheckName;
  readonly description: string;
  /** Rows the check looked at: transactions, balances, originals, accounts. */
  readonly checked: number;
  /** Rows that break the invariant. */
  readonly findings: number;
  /** The first `limit` of them: a transaction id, "account currency" or account, and what is wrong. */
  readonly offenders: readonly LedgerOffender[];
  readonly elapsedMs: number;
}

export interface LedgerOffender {
  readonly id: string;
  readonly detail: string;
}

export const LEDGER_CHECKS: Readonly<Record<LedgerCheckName, string>> = {
  postings:
    "every posted transaction has exactly two postings, in one currency, summing to zero; others have none",
  balances: "every account balance equals the sum of its postings",
  statements:
    "each account's postings are numbered 1..n per currency in time order, each balance_after is the running sum, and the balance row's last_seq and balance are the last posting's",
  limits: "no account with an overdraft limit is below it",
  legs: "every posted transaction's postings are the legs its kind books (refunds: the original's, reversed)",
  refunds: "posted refunds never exceed their original, and add up to its refunded_minor",
  "shared-accounts": "every customer account is posted only by its owning client",
  events: "every posted transaction has exactly one transactions.posted event (outbox or published)",
};

type Aggregate = {
  checked: bigint | number;
  findings: bigint | number;
  offenders: readonly LedgerOffender[] | null;
};

const timed = async (name: LedgerCheckName, run: () => Promise<Aggregate>): Promise<LedgerCheckResult> => {
  const started = performance.now();
  const a = await run();
  return {
    name,
    description: LEDGER_CHECKS[name],
    checked: Number(a.checked),
    findings: Number(a.findings),
    offenders: a.offenders ?? [],
    elapsedMs: Math.round(performance.now() - started),
  };
};

type Db = DatabasePool | DatabaseTransactionConnection;

/**
 * A check reads the whole ledger in one statement: the pool's statement timeout (slonik's 60 s) is lifted
 * for its transaction only.
 */
const UNBOUNDED = sql.unsafe`SET LOCAL statement_timeout = 0`;

/**
 * Counts rows and offenders of `rows` (a subquery with `id text`, `detail text`, `bad boolean`) in one pass.
 * Only the first `limit` offenders are collected (a running count over the rows as they come): one wrong
 * amount in an account of a million postings makes every later line of its statement an offender.
 */
const aggregate = (db: Db, rows: ReturnType<typeof sql.fragment>, limit: number) =>
  (db as DatabasePool).transaction(async (tx) => {
    await tx.query(UNBOUNDED);
    return tx.one(sql.unsafe`
    SELECT count(*) AS checked, count(*) FILTER (WHERE bad) AS findings,
      array_agg(json_build_object('id', id, 'detail', detail)) FILTER (WHERE bad AND nth <= ${limit}::int)
        AS offenders
    FROM (
      SELECT id, detail, bad, count(*) FILTER (WHERE bad) OVER (ROWS UNBOUNDED PRECEDING) AS nth
      FROM (${rows}) AS rows_in
    ) AS checked_rows`);
  }) as Promise<Aggregate>;

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

/** A transactions.posted event as read back from the topic. */
export interface PublishedEvent {
  readonly event_id: string;
  readonly transaction_id: string;
}

const EVENTS_BATCH = 10_000;

/**
 * One event per posted transaction, and none for another: the outbox's waiting events and `published`
 * (what was read back from transactions.posted; ledger-db reads no Kafka) are loaded into a temporary
 * table and counted per transaction, distinct event ids (a relay crash may publish one event twice).
 */
export const checkEvents = (
  pool: DatabasePool,
  published: Iterable<readonly PublishedEvent[]> | AsyncIterable<readonly PublishedEvent[]>,
  limit = 20,
) =>
  timed("events", () =>
    pool.transaction(async (tx) => {
      await tx.query(sql.unsafe`
        CREATE TEMPORARY TABLE published_events (transaction_id uuid, event_id uuid) ON COMMIT DROP`);
      for await (const batch of published) {
        for (let i = 0; i < batch.length; i += EVENTS_BATCH) {
          const slice = batch.slice(i, i + EVENTS_BATCH);
          await tx.query(sql.unsafe`
            INSERT INTO published_events
            SELECT * FROM unnest(${sql.array(
              slice.map((e) => e.transaction_id),
              "uuid",
            )}::uuid[], ${sql.array(
              slice.map((e) => e.event_id),
              "uuid",
            )}::uuid[])`);
        }
      }
      return (await aggregate(
        tx,
        sql.fragment`
          SELECT coalesce(t.transaction_id, e.transaction_id)::text AS id,
            CASE WHEN t.transaction_id IS NULL THEN 'not posted, ' ELSE '' END || coalesce(e.n, 0) || ' event(s)'
              AS detail,
            t.transaction_id IS NULL OR e.n IS DISTINCT FROM 1 AS bad
          FROM (SELECT transaction_id FROM transactions WHERE status = 'posted') t
          FULL JOIN (
            SELECT transaction_id, count(*) AS n FROM (
              SELECT (payload->>'transaction_id')::uuid AS transaction_id, event_id FROM outbox
              WHERE topic_id = 'posted'
              UNION
              SELECT transaction_id, event_id FROM published_events
            ) events GROUP BY transaction_id
          ) e USING (transaction_id)`,
        limit,
      )) as Aggregate;
    }),
  );

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
