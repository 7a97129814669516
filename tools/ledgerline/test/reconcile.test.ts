// `ledgerline reconcile` against a test database: a clean ledger of every kind (a refund included, limits set)
// passes; a balance_after changed by hand is named by the statements, an account below its limit (the
// table's CHECK dropped) by the limits; one posting changed by hand with SQL makes it exit 1 naming that
// transaction, the account whose balance no longer matches and the statement lines after it. The events
// check (ledger-db checkEvents) on what a topic would have given.
import { randomUUID } from "node:crypto";
import { customerAccount, legsOf, postingsOf, refundLegs, type TransactionType } from "@ledgerline/domain";
import { checkEvents, type DatabasePool, sql } from "@ledgerline/ledger-db";
import { createTestDatabase, type TestDatabase } from "@ledgerline/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./cli.ts";

interface Booked {
  readonly id: string;
  readonly type: TransactionType;
  readonly accountId: string;
  readonly amountMinor: bigint;
}

/** Books a posted transaction as the sink does: its row, its two legs' postings, the balances, its event. */
const book = async (
  pool: DatabasePool,
  t: Omit<Booked, "id"> & { counterparty?: string; merchant?: string; original?: Booked },
): Promise<Booked> => {
  const id = randomUUID();
  const kinded = {
    clientId: "client-a",
    accountId: t.accountId,
    merchantName: t.merchant ?? "",
    counterpartyAccountId: t.counterparty ?? null,
  };
  const legs =
    t.type === "refund" && t.original
      ? refundLegs(legsOf({ ...kinded, type: t.original.type, accountId: t.original.accountId }))
      : legsOf({ ...kinded, type: t.type });
  await pool.transaction(async (tx) => {
    await tx.query(sql.unsafe`
      INSERT INTO transactions (transaction_id, account_id, amount_minor, currency, merchant_name, status,
        client_id, type, counterparty_account_id, original_transaction_id, posted_at)
      VALUES (${id}, ${t.accountId}, ${t.amountMinor}, 'USD', ${kinded.merchantName}, 'posted', 'client-a',
        ${t.type}, ${kinded.counterpartyAccountId}, ${t.original?.id ?? null}, now())`);
    for (const p of postingsOf(legs, t.amountMinor)) {
      // The balance moves first: the posting takes its new last_seq and balance.
      const after = (await tx.one(sql.unsafe`
        INSERT INTO account_balances (ledger_account, currency, balance_minor, last_seq)
        VALUES (${p.ledgerAccount}, 'USD', ${p.amountMinor}, 1)
        ON CONFLICT (ledger_account, currency)
        DO UPDATE SET balance_minor = account_balances.balance_minor + EXCLUDED.balance_minor,
          last_seq = account_balances.last_seq + 1
        RETURNING balance_minor, last_seq`)) as { balance_minor: bigint; last_seq: bigint };
      await tx.query(sql.unsafe`
        INSERT INTO postings (transaction_id, ledger_account, currency, amount_minor, account_seq,
          balance_after_minor)
        VALUES (${id}, ${p.ledgerAccount}, 'USD', ${p.amountMinor}, ${after.last_seq}, ${after.balance_minor})`);
    }
    if (t.original)
      await tx.query(sql.unsafe`
        UPDATE transactions SET refunded_minor = refunded_minor + ${t.amountMinor}
        WHERE transaction_id = ${t.original.id}`);
    await tx.query(sql.unsafe`
      INSERT INTO outbox (event_id, aggregate_id, event_type, payload, topic_id)
      VALUES (${randomUUID()}, ${id}, 'TransactionPosted', ${sql.jsonb({ transaction_id: id })}, 'posted')`);
  });
  return { id, ...t };
};

type Report = {
  ok: boolean;
  findings: number;
  checks: {
    name: string;
    checked: number;
    findings: number;
    offenders: { id: string; detail: string }[];
  }[];
};

describe("ledgerline reconcile", () => {
  let database: TestDatabase;
  let env: Record<string, string | undefined>;
  let payment: Booked;
  let refund: Booked;
  beforeAll(async () => {
    database = await createTestDatabase("reconcile");
    env = { ...process.env, DATABASE_URL: database.url, LEDGERLINE_DATABASE_URL: database.url };
    const pool = database.pool;
    payment = await book(pool, {
      type: "payment",
      accountId: "ACC-1",
      amountMinor: 1_250n,
      merchant: "Shop",
    });
    refund = await book(pool, {
      type: "refund",
      accountId: "ACC-1",
      amountMinor: 250n,
      merchant: "Shop",
      original: payment,
    });
    await book(pool, { type: "transfer", accountId: "ACC-1", amountMinor: 300n, counterparty: "ACC-2" });
    await book(pool, { type: "cash_in", accountId: "ACC-2", amountMinor: 5_000n });
    await book(pool, { type: "cash_out", accountId: "ACC-2", amountMinor: 700n });
    await book(pool, { type: "debit", accountId: "ACC-3", amountMinor: 90n });
    // Limits: ACC-2 (4,600 in credit) may not go below zero; ACC-4 has a limit and no posting yet.
    await pool.query(sql.unsafe`
      UPDATE account_balances SET overdraft_limit_minor = 0
      WHERE ledger_account = ${customerAccount("client-a", "ACC-2")}`);
    await pool.query(sql.unsafe`
      INSERT INTO account_balances (ledger_account, currency, overdraft_limit_minor)
      VALUES (${customerAccount("client-a", "ACC-4")}, 'USD', 500)`);
    await pool.query(sql.unsafe`
      INSERT INTO transactions (transaction_id, account_id, amount_minor, currency, merchant_name, status,
        client_id, rejection_reasons)
      VALUES (${randomUUID()}, 'ACC-1', 100, 'USD', 'Shop', 'rejected', 'client-a', '[]')`);
  });
  afterAll(async () => {
    await database?.cleanup();
  });

  it("passes a clean ledger: every check, its rows counted, no finding, exit 0", async () => {
    const run = await runCli(["reconcile", "--skip-events", "--json"], env);
    expect(run.code, run.stderr).toBe(0);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.ok).toBe(true);
    expect(report.checks.map((c) => [c.name, c.checked, c.findings])).toEqual([
      ["postings", 7, 0],
      ["balances", 7, 0],
      ["statements", 13, 0],
      ["limits", 2, 0],
      ["legs", 6, 0],
      ["refunds", 1, 0],
      ["shared-accounts", 3, 0],
    ]);
    const plain = await runCli(["reconcile", "--skip-events"], env);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/^CHECK\s+CHECKED\s+FINDINGS\s+TIME/m);
    expect(plain.stdout).toMatch(/ledger reconciled in \d+\.\d s/);
  });

  it("checks one event per posted transaction, from the outbox and what was published", async () => {
    const [first = "", second = ""] = (await database.pool.anyFirst(sql.unsafe`
      SELECT aggregate_id FROM outbox ORDER BY sequence LIMIT 2`)) as string[];
    // The relay published the first two (their rows gone); the first twice under one event id.
    const published = [
      { transaction_id: first, event_id: randomUUID() },
      { transaction_id: second, event_id: randomUUID() },
    ];
    await database.pool.query(sql.unsafe`DELETE FROM outbox WHERE aggregate_id IN (${first}, ${second})`);
    const clean = await checkEvents(database.pool, [published, [published[0] as (typeof published)[0]]]);
    expect([clean.checked, clean.findings]).toEqual([6, 0]);
    const stray = randomUUID();
    const broken = await checkEvents(database.pool, [
      [published[0] as (typeof published)[0], { transaction_id: first, event_id: randomUUID() }],
      [{ transaction_id: stray, event_id: randomUUID() }],
    ]);
    expect(broken.findings).toBe(3);
    expect(broken.offenders).toEqual(
      expect.arrayContaining([
        { id: first, detail: "2 event(s)" },
        { id: second, detail: "0 event(s)" },
        { id: stray, detail: "not posted, 1 event(s)" },
      ]),
    );
  });

  it("names a posting whose balance_after was changed by hand, and an account below its limit", async () => {
    const pool = database.pool;
    const account = customerAccount("client-a", "ACC-1");
    await pool.query(sql.unsafe`
      UPDATE postings SET balance_after_minor = balance_after_minor + 5
      WHERE transaction_id = ${refund.id} AND ledger_account = ${account}`);
    // The table's CHECK would refuse the limit: the auditor must find it without it.
    await pool.query(sql.unsafe`ALTER TABLE account_balances DROP CONSTRAINT account_balances_within_limit`);
    await pool.query(sql.unsafe`
      UPDATE account_balances SET overdraft_limit_minor = 1000 WHERE ledger_account = ${account}`);
    const run = await runCli(["reconcile", "--skip-events", "--json"], env);
    expect(run.code, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.checks.map((c) => [c.name, c.findings])).toEqual([
      ["postings", 0],
      ["balances", 0],
      ["statements", 1],
      ["limits", 1],
      ["legs", 0],
      ["refunds", 0],
      ["shared-accounts", 0],
    ]);
    const of = (name: string) => report.checks.find((c) => c.name === name);
    expect(of("statements")?.offenders).toEqual([
      { id: `${account} USD #2`, detail: `transaction ${refund.id}; balance_after -995, expected -1000` },
    ]);
    expect(of("limits")?.offenders).toEqual([
      { id: `${account} USD`, detail: "balance -1300, overdraft limit 1000" },
    ]);
    // Put back as it was, CHECK included.
    await pool.query(sql.unsafe`
      UPDATE postings SET balance_after_minor = balance_after_minor - 5
      WHERE transaction_id = ${refund.id} AND ledger_account = ${account}`);
    await pool.query(sql.unsafe`
      UPDATE account_balances SET overdraft_limit_minor = NULL WHERE ledger_account = ${account}`);
    await pool.query(sql.unsafe`
      ALTER TABLE account_balances ADD CONSTRAINT account_balances_within_limit
        CHECK (overdraft_limit_minor IS NULL OR balance_minor >= -overdraft_limit_minor)`);
  });

  it("names the transaction and the account when one posting is changed by hand, and exits 1", async () => {
    await database.pool.query(sql.unsafe`
      UPDATE postings SET amount_minor = amount_minor + 1
      WHERE transaction_id = ${payment.id} AND amount_minor < 0`);
    const run = await runCli(["reconcile", "--skip-events", "--json"], env);
    expect(run.code, run.stderr).toBe(1);
    const report = JSON.parse(run.stdout) as Report;
    expect(report.ok).toBe(false);
    const of = (name: string) => report.checks.find((c) => c.name === name);
    expect(of("postings")?.offenders).toEqual([{ id: payment.id, detail: "posted: 2 posting(s), sum 1" }]);
    const account = customerAccount("client-a", "ACC-1");
    expect(of("balances")?.offenders).toEqual([
      { id: `${account} USD`, detail: "balance -1300, postings -1299" },
    ]);
    // Its running balance no longer matches from that posting on: the refund and the transfer after it.
    expect(of("statements")?.offenders).toHaveLength(3);
    expect(of("statements")?.offenders).toEqual(
      expect.arrayContaining([
        { id: `${account} USD #1`, detail: `transaction ${payment.id}; balance_after -1250, expected -1249` },
        { id: `${account} USD #2`, detail: `transaction ${refund.id}; balance_after -1000, expected -999` },
        { id: `${account} USD #3`, detail: expect.stringMatching(/; balance_after -1300, expected -1299$/) },
      ]),
    );
    expect(of("legs")?.offenders).toEqual([{ id: payment.id, detail: "payment" }]);
    expect([of("limits")?.findings, of("refunds")?.findings, of("shared-accounts")?.findings]).toEqual([
      0, 0, 0,
    ]);
    expect(run.stderr).toMatch(/findings in postings \(1\), balances \(1\), statements \(3\), legs \(1\)/);
    const plain = await runCli(["reconcile", "--skip-events", "--limit", "5"], env);
    expect(plain.code).toBe(1);
    expect(plain.stdout).toContain(`${payment.id} (posted: 2 posting(s), sum 1)`);
    expect(plain.stdout).toContain(`${account} USD (balance -1300, postings -1299)`);
    expect(plain.stdout).toContain(`${account} USD #1 (transaction ${payment.id}; balance_after -1250`);
    expect(plain.stdout).toMatch(/6 finding\(s\) in/);
  });
});
