// `npm run bench:accounts -- [--postings 10000000] [--runs 200] [--keep] [--skip-reconcile]`
//
// The accounts API's reads at scale. A throwaway schema of the local Postgres (TEST_DATABASE_URL, or
// --database) gets the ledger's migrations and --postings postings (two per transaction) generated inside
// the server, as the sink would have written them: one customer account (customer:bench:HOT) holds a
// tenth of them (a million at full scale: every fifth transaction, cash-ins and payments in turn), the
// others go to customer accounts of about 25 postings each, 2,000 merchants and the system cash account;
// created_at spread evenly over 30 days, in writing order (the heap is not clustered by account). Every
// posting's account_seq and balance_after_minor, and every balance row's last_seq, come from closed forms
// (each account's transactions are an arithmetic progression of ids with one amount), the balances from a
// sum of the postings, and some accounts get overdraft limits. Secondary indexes are built after the rows,
// then VACUUM ANALYZE.
//
// Then, for the hot account and a typical small one, each read the accounts API makes runs through
// packages/ledger-db's own functions (getAccount, getBalancesAsOf, getStatement): p50 and p99 of --runs
// warm runs, and EXPLAIN (ANALYZE, BUFFERS) of the exact SQL and values the function sent (captured by a
// slonik interceptor). Last, reconcileLedger (what `ledgerline reconcile --skip-events` runs) over the
// whole ledger, timed per check. The schema is dropped at the end unless --keep.
import { parseArgs } from "node:util";
import { migrate } from "@ledgerline/ledger-db";
import { testEnvironment, withSearchPath } from "@ledgerline/testkit";
import pg from "pg";
import { log, measureReads, seconds, timeReconcile } from "./accountsMeasure.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    postings: { type: "string", default: "10000000" },
    runs: { type: "string", default: "200" },
    page: { type: "string", default: "50" },
    database: { type: "string" },
    keep: { type: "boolean", default: false },
    "skip-reconcile": { type: "boolean", default: false },
  },
});
const POSTINGS = Number(values.postings);
const RUNS = Number(values.runs);
const PAGE = Number(values.page);
if (!Number.isInteger(POSTINGS) || POSTINGS < 20_000 || POSTINGS % 2 !== 0)
  throw new Error("--postings: an even number, 20000 or more");
if (!Number.isInteger(RUNS) || RUNS < 1) throw new Error("--runs: 1 or more");

/** Transactions: two postings each. */
const T = POSTINGS / 2;
/** Merchants (M-0 … M-1999): a multiple of 10, so a transaction's id says its merchant's kind too. */
const M = 2_000;
/** Small customer accounts ACC-r: r = id mod K (K a multiple of M: each always pays merchant r mod M). */
const K = Math.max(M, Math.floor(T / 25 / M) * M);
/** The hot account's cash-in and payment amounts (minor units); a small account pays its merchant's amount. */
const CASH_IN = 5_000;
const HOT_PAYMENT = 3_000;
/** Microseconds between two transactions: T of them over 30 days. */
const STEP_US = Math.floor((30 * 86_400 * 1e6) / T);
const START = "2025-01-01T00:00:00Z";
const HOT = "customer:bench:HOT";
const SMALL = "customer:bench:ACC-1234";
const CURRENCY = "USD";

const at = (offsetMs: number) => new Date(Date.parse(START) + offsetMs).toISOString();

/**
 * Transaction j (1 … T), as SQL over generate_series j: every 5th is the hot account's (j mod 10 = 0 a
 * cash-in from system:cash, j mod 10 = 5 a payment to merchant j mod M); the others are ACC-(j mod K)'s
 * payments to merchant j mod M. Each account's transactions are j = first + k·step, so its k-th posting is
 * number k + 1 and its balance after it a closed form.
 */
const createdAt = `(timestamptz '${START}' + (j * ${STEP_US}) * interval '1 microsecond')`;
const merchantAmount = `(100 + ((j % ${M}) * 7919) % 9900)`;
const amount = `CASE WHEN j % 10 = 0 THEN ${CASH_IN} WHEN j % 5 = 0 THEN ${HOT_PAYMENT} ELSE ${merchantAmount} END`;
/** The hot account after its s-th posting: the odd ones payments, the even ones cash-ins. */
const hotAfter = `((j / 5) / 2 * ${CASH_IN} - (j / 5 + 1) / 2 * ${HOT_PAYMENT})`;
const merchantSeq = `((j - j % ${M}) / ${M} + 1)`;
const customerSeq = `((j - j % ${K}) / ${K} + 1)`;
const uuidOf = `(lpad(to_hex(j), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(j), 12, '0'))::uuid`;

const transactionsSql = (from: number, to: number) => `
  INSERT INTO transactions (transaction_id, account_id, amount_minor, currency, merchant_name, status, client_id,
    type, occurred_at, accepted_at, posted_at, recorded_at)
  SELECT ${uuidOf}, CASE WHEN j % 5 = 0 THEN 'HOT' ELSE 'ACC-' || j % ${K} END, ${amount}, '${CURRENCY}',
    CASE WHEN j % 10 = 0 THEN '' ELSE 'M-' || j % ${M} END, 'posted', 'bench',
    CASE WHEN j % 10 = 0 THEN 'cash_in' ELSE 'payment' END,
    ${createdAt}, ${createdAt}, ${createdAt}, ${createdAt}
  FROM generate_series(${from}::bigint, ${to}::bigint) AS j`;

const postingsSql = (from: number, to: number) => `
  INSERT INTO postings (transaction_id, ledger_account, currency, amount_minor, created_at, account_seq,
    balance_after_minor)
  SELECT ${uuidOf}, leg.account, '${CURRENCY}', leg.amount, ${createdAt}, leg.seq, leg.after
  FROM generate_series(${from}::bigint, ${to}::bigint) AS j,
  LATERAL (VALUES
    -- the debit
    (CASE WHEN j % 10 = 0 THEN 'system:cash' WHEN j % 5 = 0 THEN '${HOT}' ELSE 'customer:bench:ACC-' || j % ${K} END,
     -(${amount}),
     CASE WHEN j % 10 = 0 THEN j / 10 WHEN j % 5 = 0 THEN j / 5 ELSE ${customerSeq} END,
     CASE WHEN j % 10 = 0 THEN -(j / 10) * ${CASH_IN} WHEN j % 5 = 0 THEN ${hotAfter}
          ELSE -${customerSeq} * ${merchantAmount} END),
    -- the credit
    (CASE WHEN j % 10 = 0 THEN '${HOT}' ELSE 'merchant:M-' || j % ${M} END,
     ${amount},
     CASE WHEN j % 10 = 0 THEN j / 5 ELSE ${merchantSeq} END,
     CASE WHEN j % 10 = 0 THEN ${hotAfter} WHEN j % 5 = 0 THEN ${merchantSeq} * ${HOT_PAYMENT}
          ELSE ${merchantSeq} * ${merchantAmount} END)
  ) AS leg(account, amount, seq, after)`;

const base = values.database ?? testEnvironment().testDatabaseUrl;
const schema = `bench_accounts_${Date.now().toString(36)}`;
const url = withSearchPath(base, schema);
const masked = (u: string) => u.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");

log(
  `${POSTINGS.toLocaleString("en")} postings (${T.toLocaleString("en")} transactions), ${HOT} ${(T / 5).toLocaleString("en")} of them, ` +
    `${((K * 4) / 5).toLocaleString("en")} small customer accounts, ${M.toLocaleString("en")} merchants; schema ${schema}`,
);
await migrate(base, { schema });
const client = new pg.Client({ connectionString: url });
await client.connect();
let failed = false;
try {
  await client.query("SET statement_timeout = 0");
  await client.query("SET maintenance_work_mem = '512MB'");
  await client.query("SET work_mem = '256MB'");
  // Loaded as a restore would: secondary indexes dropped, rows in, indexes built, statistics.
  const indexes = (
    await client.query<{ indexname: string; indexdef: string }>(
      `SELECT indexname, indexdef FROM pg_indexes
       WHERE schemaname = $1 AND tablename IN ('transactions', 'postings') AND indexname NOT LIKE '%_pkey'
         AND indexname <> 'postings_statement'`,
      [schema],
    )
  ).rows;
  for (const index of indexes) await client.query(`DROP INDEX ${index.indexname}`);
  // The postings' key (the statement order) is built after the load too.
  const postingsKey = (
    await client.query<{ def: string }>(
      `SELECT pg_get_constraintdef(c.oid) AS def FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace
       WHERE n.nspname = $1 AND c.conname = 'postings_statement'`,
      [schema],
    )
  ).rows[0]?.def;
  if (!postingsKey) throw new Error("bench:accounts: postings_statement, the postings' key, is missing");
  await client.query("ALTER TABLE postings DROP CONSTRAINT postings_statement");
  const loadStarted = performance.now();
  const chunk = 1_000_000;
  for (let from = 1; from <= T; from += chunk) {
    const to = Math.min(T, from + chunk - 1);
    await client.query(transactionsSql(from, to));
    await client.query(postingsSql(from, to));
    log(`  ${(to * 2).toLocaleString("en")} postings (${seconds(loadStarted)})`);
  }
  let step = performance.now();
  await client.query(`
    INSERT INTO account_balances (ledger_account, currency, balance_minor, last_seq, updated_at)
    SELECT ledger_account, currency, sum(amount_minor), count(*), max(created_at) FROM postings GROUP BY 1, 2`);
  // Limits: the hot account may go 100.00 below zero, the small accounts whose number ends in 7 (one in
  // eight) 10,000.00.
  await client.query(`
    UPDATE account_balances
    SET overdraft_limit_minor = CASE WHEN ledger_account = '${HOT}' THEN 10000 ELSE 1000000 END,
      limit_updated_at = now(), limit_updated_by = 'bench'
    WHERE ledger_account = '${HOT}' OR ledger_account LIKE 'customer:bench:ACC-%7'`);
  log(`balances and limits: ${seconds(step)}`);
  step = performance.now();
  await client.query(`ALTER TABLE postings ADD CONSTRAINT postings_statement ${postingsKey}`);
  log(`key postings_statement: ${seconds(step)}`);
  for (const index of indexes) {
    step = performance.now();
    await client.query(index.indexdef);
    log(`index ${index.indexname}: ${seconds(step)}`);
  }
  step = performance.now();
  await client.query("VACUUM (ANALYZE) transactions, postings, account_balances");
  log(`vacuum analyze: ${seconds(step)}`);
  const sizes = (
    await client.query<{ name: string; heap: string; indexes: string }>(
      `
      SELECT relname AS name, pg_size_pretty(pg_table_size(oid)) AS heap,
        pg_size_pretty(pg_indexes_size(oid)) AS indexes
      FROM pg_class WHERE relnamespace = $1::regnamespace
        AND relname IN ('transactions', 'postings', 'account_balances') ORDER BY relname`,
      [schema],
    )
  ).rows;
  log(
    `loaded in ${seconds(loadStarted)}: ${sizes.map((s) => `${s.name} ${s.heap} + indexes ${s.indexes}`).join("; ")}`,
  );
  const counts = (
    await client.query<{ account: string; postings: string; limit: string | null }>(
      `SELECT ledger_account AS account, last_seq::text AS postings, overdraft_limit_minor::text AS limit
       FROM account_balances WHERE ledger_account IN ($1, $2) ORDER BY 1`,
      [HOT, SMALL],
    )
  ).rows;
  for (const c of counts)
    log(`${c.account}: ${Number(c.postings).toLocaleString("en")} postings, limit ${c.limit}`);

  await measureReads({
    url,
    client,
    hot: HOT,
    small: SMALL,
    currency: CURRENCY,
    page: PAGE,
    runs: RUNS,
    postings: POSTINGS,
    at,
  });

  if (!values["skip-reconcile"]) failed = await timeReconcile(url, POSTINGS);
} finally {
  if (values.keep) log(`kept: ${masked(url)}`);
  else {
    await client.query(`DROP SCHEMA ${schema} CASCADE`).catch((error: unknown) => {
      log(`could not drop ${schema}: ${(error as Error).message}`);
    });
    log(`dropped ${schema}`);
  }
  await client.end().catch(() => undefined);
}
if (failed) {
  console.error("reconcile found offending rows in the generated ledger");
  process.exit(1);
}
