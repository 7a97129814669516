// `npm run bench:queries -- [--rows 10000000] [--runs 5]`
//
// The read side at scale. A private Postgres (the stock server's buffers) gets the ledger's migrations
// and --rows transactions generated inside the server (90% posted, 5% historical, 4% rejected, 1% dead
// lettered; six currencies, USD the most common; 100,000 accounts; a year of occurred_at; recorded_at
// in insertion order). Then each query the gateway serves for GET /v1/transactions, /reports and the
// console runs through the product's own functions (packages/ledger-db readModel): the median of --runs
// warm runs, and its plan (EXPLAIN (ANALYZE, BUFFERS) of the exact SQL and values the function sent).
import { parseArgs } from "node:util";
import {
  deadLetterSummary,
  decodeCursor,
  exactTypeParsers,
  getTransaction,
  listTransactions,
  migrate,
  reportTotals,
} from "@ledgerline/ledger-db";
import { ThrowawayPostgres } from "@ledgerline/testkit";
import pg from "pg";
import { createPool } from "slonik";
import { queryRecorder } from "./explain.ts";

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { rows: { type: "string", default: "10000000" }, runs: { type: "string", default: "5" } },
});
const ROWS = Number(values.rows);
const RUNS = Number(values.runs);
const log = (line: string) => console.log(`[queries ${new Date().toISOString().slice(11, 19)}] ${line}`);

const recorder = queryRecorder();

const generate = (from: number, to: number) => `
  INSERT INTO transactions (transaction_id, account_id, amount_minor, currency, base_currency, base_amount_minor,
    merchant_name, status, dead_letter_reason, occurred_at, accepted_at, posted_at, recorded_at, source)
  SELECT (lpad(to_hex(i), 8, '0') || '-0000-4000-8000-' || lpad(to_hex(i), 12, '0'))::uuid,
    'ACC-' || (i % 100000), 1 + (i * 7919) % 1000000,
    (ARRAY['USD','USD','USD','USD','USD','USD','EUR','EUR','GBP','JPY','CHF','CAD'])[1 + (i * 31) % 12],
    'USD', 1 + (i * 7919) % 1000000, 'M-' || (i % 5000),
    CASE WHEN i % 100 < 90 THEN 'posted' WHEN i % 100 < 95 THEN 'historical' WHEN i % 100 < 99 THEN 'rejected'
         ELSE 'dead_lettered' END,
    CASE WHEN i % 100 = 99 THEN 'SCHEMA_MISMATCH record ' || i END,
    timestamptz '2025-01-01' + ((i * 104729) % 31536000) * interval '1 second',
    timestamptz '2025-01-01' + (i * (31536000.0 / ${ROWS})) * interval '1 second',
    CASE WHEN i % 100 < 90 THEN timestamptz '2025-01-01' + (i * (31536000.0 / ${ROWS}) + 0.1) * interval '1 second' END,
    timestamptz '2025-01-01' + (i * (31536000.0 / ${ROWS}) + 0.2) * interval '1 second',
    CASE WHEN i % 100 < 95 AND i % 100 >= 90 THEN 'historical' ELSE 'live' END
  FROM generate_series(${from}::bigint, ${to}::bigint) AS i`;

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

log(`starting a private Postgres; ${ROWS.toLocaleString("en")} rows, ${RUNS} runs per query`);
const postgres = await ThrowawayPostgres.create({
  settings: ["shared_buffers = 128MB", "max_wal_size = 1GB"],
});
const url = postgres.url("ledgerline");
const client = new pg.Client({ connectionString: url });
try {
  await migrate(url);
  await client.connect();
  // Bulk load as a restore would: secondary indexes dropped, rows in, indexes built, statistics.
  const indexes = (
    await client.query<{ indexdef: string; indexname: string }>(
      "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'transactions' AND indexname <> 'transactions_pkey'",
    )
  ).rows;
  for (const index of indexes) await client.query(`DROP INDEX ${index.indexname}`);
  const loadStarted = Date.now();
  const chunk = 1_000_000;
  for (let from = 1; from <= ROWS; from += chunk) {
    await client.query(generate(from, Math.min(ROWS, from + chunk - 1)));
    log(`  ${Math.min(ROWS, from + chunk - 1).toLocaleString("en")} rows`);
  }
  for (const index of indexes) await client.query(index.indexdef);
  await client.query("VACUUM ANALYZE transactions");
  const size = (
    await client.query<{ table: string; indexes: string }>(
      "SELECT pg_size_pretty(pg_table_size('transactions')) AS table, pg_size_pretty(pg_indexes_size('transactions')) AS indexes",
    )
  ).rows[0];
  log(
    `loaded in ${((Date.now() - loadStarted) / 1_000).toFixed(0)} s: table ${size?.table}, indexes ${size?.indexes}`,
  );

  const pool = await createPool(url, {
    typeParsers: exactTypeParsers,
    maximumPoolSize: 1,
    interceptors: [recorder.interceptor],
  });
  const newest = await listTransactions(pool, {}, 1);
  const deep = await listTransactions(pool, {}, 5_000);
  const day = { from: "2025-06-01T00:00:00Z", to: "2025-06-02T00:00:00Z" };
  const cases: [string, () => Promise<unknown>][] = [
    ["GET /v1/transactions/{id}", () => getTransaction(pool, newest.rows[0]?.transaction_id as string)],
    ["GET /v1/transactions (newest 50)", () => listTransactions(pool, {}, 50)],
    [
      "… next page after 5,000 rows",
      () => listTransactions(pool, {}, 50, decodeCursor(deep.nextCursor ?? "")),
    ],
    ["… account_id", () => listTransactions(pool, { accountId: "ACC-4242" }, 50)],
    ["… status=dead_lettered", () => listTransactions(pool, { status: "dead_lettered" }, 50)],
    [
      "… status=rejected&currency=JPY",
      () => listTransactions(pool, { status: "rejected", currency: "JPY" }, 50),
    ],
    ["… currency=CHF", () => listTransactions(pool, { currency: "CHF" }, 50)],
    ["… one day of occurred_at", () => listTransactions(pool, day, 50)],
    ["/reports totals, no filter", () => reportTotals(pool, {})],
    ["/reports totals, account_id", () => reportTotals(pool, { accountId: "ACC-4242" })],
    ["/reports totals, one day", () => reportTotals(pool, day)],
    ["/reports totals, status=rejected", () => reportTotals(pool, { status: "rejected" })],
    ["/console dead letters", () => deadLetterSummary(pool)],
  ];
  const results: { name: string; ms: number; plan: string }[] = [];
  for (const [name, run] of cases) {
    const times: number[] = [];
    await run(); // warm: the buffers hold what it reads
    for (let i = 0; i < RUNS; i++) {
      const started = performance.now();
      await run();
      times.push(performance.now() - started);
    }
    const plan = await recorder.explainLast(client);
    results.push({ name, ms: median(times), plan });
    log(`${name}: ${median(times).toFixed(1)} ms`);
  }
  await pool.end();
  console.log(
    `\n${ROWS.toLocaleString("en")} rows; median of ${RUNS} warm runs through packages/ledger-db's read model\n`,
  );
  const width = Math.max(...results.map((r) => r.name.length));
  for (const r of results) console.log(`${r.name.padEnd(width)}  ${r.ms.toFixed(1).padStart(9)} ms`);
  console.log("\nPlans (EXPLAIN ANALYZE of the SQL each function sent):");
  for (const r of results) console.log(`\n-- ${r.name}\n${r.plan}`);
} finally {
  await client.end().catch(() => undefined);
  await postgres.destroy();
}
