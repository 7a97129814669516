// bench:accounts' measurements: each read the accounts API makes, timed through packages/ledger-db's own
// functions, with EXPLAIN (ANALYZE, BUFFERS) of the exact SQL it sent; and reconcileLedger over the whole
// ledger, timed per check.
import {
  exactTypeParsers,
  getAccount,
  getBalancesAsOf,
  getStatement,
  reconcileLedger,
} from "@ledgerline/ledger-db";
import type pg from "pg";
import { createPool } from "slonik";
import { queryRecorder } from "./explain.ts";

export const log = (line: string) =>
  console.log(`[accounts ${new Date().toISOString().slice(11, 19)}] ${line}`);
export const seconds = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;
const DAY = 86_400_000;

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number;

export interface ReadsOptions {
  readonly url: string;
  /** The connection that runs EXPLAIN of each function's last statement. */
  readonly client: pg.Client;
  /** The hot account (a tenth of the postings) and a typical small one. */
  readonly hot: string;
  readonly small: string;
  readonly currency: string;
  readonly page: number;
  readonly runs: number;
  readonly postings: number;
  /** The time `offsetMs` after the generated ledger's start (ISO). */
  readonly at: (offsetMs: number) => string;
}

/** p50 and p99 of `runs` warm runs of each read, for both accounts, and the plans; printed. */
export const measureReads = async (options: ReadsOptions): Promise<void> => {
  const { url, client, hot, small, currency, page, runs, postings, at } = options;
  const recorder = queryRecorder();
  const pool = await createPool(url, {
    typeParsers: exactTypeParsers,
    maximumPoolSize: 1,
    interceptors: [recorder.interceptor],
  });
  const results: { account: string; name: string; p50: number; p99: number; rows: number; plan: string }[] =
    [];
  try {
    for (const account of [hot, small]) {
      const statement = { ledgerAccount: account, currency: currency, limit: page };
      const deep = account === hot ? (await getStatement(pool, { ...statement, limit: 10_000 })).next : null;
      const cases: [string, () => Promise<readonly unknown[]>][] = [
        ["balance now (getAccount)", () => getAccount(pool, account)],
        ["as_of day 1 (getBalancesAsOf)", () => getBalancesAsOf(pool, account, at(DAY))],
        ["as_of day 15", () => getBalancesAsOf(pool, account, at(15 * DAY + 3_600_000))],
        ["as_of last hour", () => getBalancesAsOf(pool, account, at(30 * DAY - 3_600_000))],
        [`statement first page (${page})`, async () => (await getStatement(pool, statement)).rows],
        ...(deep
          ? [
              [
                `statement page after 10,000 rows (cursor)`,
                async () => (await getStatement(pool, { ...statement, cursor: deep })).rows,
              ] as [string, () => Promise<readonly unknown[]>],
            ]
          : []),
        [
          "statement from/to day 15–16, first page",
          async () => (await getStatement(pool, { ...statement, from: at(15 * DAY), to: at(16 * DAY) })).rows,
        ],
      ];
      for (const [name, run] of cases) {
        const rows = (await run()).length; // warm: the buffers hold what it reads
        const times: number[] = [];
        for (let i = 0; i < runs; i++) {
          const started = performance.now();
          await run();
          times.push(performance.now() - started);
        }
        times.sort((a, b) => a - b);
        const plan = await recorder.explainLast(client);
        const result = { account, name, p50: percentile(times, 50), p99: percentile(times, 99), rows, plan };
        results.push(result);
        log(
          `${account} ${name}: p50 ${result.p50.toFixed(2)} ms, p99 ${result.p99.toFixed(2)} ms (${rows} rows)`,
        );
      }
    }
  } finally {
    await pool.end();
  }

  console.log(
    `\n${postings.toLocaleString("en")} postings; p50 / p99 of ${runs} warm runs through packages/ledger-db's account reads\n`,
  );
  const width = Math.max(...results.map((r) => r.name.length));
  for (const account of [hot, small]) {
    console.log(account);
    for (const r of results.filter((r) => r.account === account))
      console.log(
        `  ${r.name.padEnd(width)}  ${r.p50.toFixed(2).padStart(8)} ms  ${r.p99.toFixed(2).padStart(8)} ms  ${String(r.rows).padStart(3)} rows`,
      );
  }
  console.log("\nPlans (EXPLAIN (ANALYZE, BUFFERS) of the SQL each function sent):");
  for (const r of results) console.log(`\n-- ${r.account}: ${r.name}\n${r.plan}`);
};

/** reconcileLedger (what `ledgerline reconcile --skip-events` runs), timed per check; true when it found rows. */
export const timeReconcile = async (url: string, postings: number): Promise<boolean> => {
  let failed = false;
  console.log("");
  const ledger = await createPool(url, { typeParsers: exactTypeParsers, maximumPoolSize: 2 });
  try {
    const started = performance.now();
    let legsLogged = 0;
    const checks = await reconcileLedger(ledger, {
      onCheck: (name) => log(`reconcile: checking ${name}`),
      onLegsProgress: (checked) => {
        if (checked - legsLogged >= 1_000_000) {
          legsLogged = checked;
          log(`reconcile: legs ${checked.toLocaleString("en")}`);
        }
      },
    });
    const total = seconds(started);
    console.log(
      `\nreconcileLedger (ledgerline reconcile --skip-events) on ${postings.toLocaleString("en")} postings:`,
    );
    for (const c of checks)
      console.log(
        `  ${c.name.padEnd(16)} ${String(c.checked).padStart(10)} checked  ${String(c.findings).padStart(3)} findings  ${(c.elapsedMs / 1000).toFixed(1).padStart(6)} s`,
      );
    console.log(`  total ${total}`);
    const findings = checks.filter((c) => c.findings > 0);
    if (findings.length > 0) {
      failed = true;
      for (const c of findings) console.log(`  ${c.name}: ${JSON.stringify(c.offenders.slice(0, 5))}`);
    }
  } finally {
    await ledger.end();
  }
  return failed;
};
