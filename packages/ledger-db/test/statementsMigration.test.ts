// Migration 11 (statements and limits) on a ledger written before it: each account's postings per currency
// are numbered in the order they were written (created_at, ties broken by transaction id) with their running
// balance, and each balance row's last_seq is its last posting's number. The ledger's statements check then
// finds nothing.
import { randomBytes } from "node:crypto";
import { testEnvironment, withSearchPath } from "@ledgerline/testkit";
import { afterAll, describe, expect, it } from "vitest";
import {
  checkBalances,
  checkLimits,
  checkStatements,
  createLedgerPool,
  type DatabasePool,
  migrate,
  sql,
} from "../src/index.ts";

const base = testEnvironment().testDatabaseUrl;
const schema = `t_statements_migration_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
let pool: DatabasePool | undefined;

afterAll(async () => {
  await pool?.query(sql.unsafe`DROP SCHEMA IF EXISTS ${sql.identifier([schema])} CASCADE`);
  await pool?.end();
});

const id = (n: number) => `00000000-0000-4000-8000-00000000000${n}`;
const CUSTOMER = "customer:alpha:ACC-1";
const MERCHANT = "merchant:SHOP";

describe("migration 11: statements and limits", () => {
  it("numbers the postings written before it per account and currency, with their running balance", async () => {
    await migrate(base, { schema, count: 11 });
    pool = await createLedgerPool(withSearchPath(base, schema), { maximumPoolSize: 2 });
    // Written in this order; created_at is each writing transaction's start, so two batches' postings can
    // tie (1 and 2 in USD, 4 and 5 in EUR) and a lower id can be written later (3 before 1).
    const rows = [
      [id(2), "USD", 300n, "2025-03-01T10:00:00Z", "payment"],
      [id(1), "USD", 1_000n, "2025-03-01T10:00:00Z", "payment"],
      [id(5), "EUR", -200n, "2025-03-01T10:00:00Z", "refund"],
      [id(4), "EUR", 700n, "2025-03-01T10:00:00Z", "payment"],
      [id(6), "USD", 25n, "2025-03-01T11:00:00Z", "payment"],
      [id(3), "USD", 50n, "2025-03-01T09:00:00Z", "payment"],
    ] as const;
    for (const [transaction, currency, amount, at, type] of rows) {
      const abs = amount < 0n ? -amount : amount;
      await pool.query(sql.unsafe`
        INSERT INTO transactions (transaction_id, account_id, amount_minor, currency, merchant_name, status,
          client_id, type, original_transaction_id, posted_at)
        VALUES (${transaction}, 'ACC-1', ${abs.toString()}, ${currency}, 'SHOP', 'posted', 'alpha', ${type},
          ${type === "refund" ? id(4) : null}, ${at}::timestamptz)`);
      await pool.query(sql.unsafe`
        INSERT INTO postings (transaction_id, ledger_account, currency, amount_minor, created_at) VALUES
          (${transaction}, ${CUSTOMER}, ${currency}, ${(-amount).toString()}, ${at}::timestamptz),
          (${transaction}, ${MERCHANT}, ${currency}, ${amount.toString()}, ${at}::timestamptz)`);
    }
    await pool.query(sql.unsafe`
      INSERT INTO account_balances (ledger_account, currency, balance_minor) VALUES
        (${CUSTOMER}, 'USD', -1375), (${MERCHANT}, 'USD', 1375),
        (${CUSTOMER}, 'EUR', -500), (${MERCHANT}, 'EUR', 500),
        (${CUSTOMER}, 'GBP', 0)`);

    await migrate(base, { schema });

    const postings = await pool.any(sql.unsafe`
      SELECT ledger_account, trim(currency) AS currency, account_seq, transaction_id::text, amount_minor,
        balance_after_minor
      FROM postings ORDER BY ledger_account, currency, account_seq`);
    const line = (
      account: string,
      currency: string,
      seq: bigint,
      n: number,
      amount: bigint,
      after: bigint,
    ) => ({
      ledger_account: account,
      currency,
      account_seq: seq,
      transaction_id: id(n),
      amount_minor: amount,
      balance_after_minor: after,
    });
    expect(postings).toEqual([
      line(CUSTOMER, "EUR", 1n, 4, -700n, -700n),
      line(CUSTOMER, "EUR", 2n, 5, 200n, -500n),
      line(CUSTOMER, "USD", 1n, 3, -50n, -50n),
      line(CUSTOMER, "USD", 2n, 1, -1_000n, -1_050n),
      line(CUSTOMER, "USD", 3n, 2, -300n, -1_350n),
      line(CUSTOMER, "USD", 4n, 6, -25n, -1_375n),
      line(MERCHANT, "EUR", 1n, 4, 700n, 700n),
      line(MERCHANT, "EUR", 2n, 5, -200n, 500n),
      line(MERCHANT, "USD", 1n, 3, 50n, 50n),
      line(MERCHANT, "USD", 2n, 1, 1_000n, 1_050n),
      line(MERCHANT, "USD", 3n, 2, 300n, 1_350n),
      line(MERCHANT, "USD", 4n, 6, 25n, 1_375n),
    ]);
    const balances = await pool.any(sql.unsafe`
      SELECT ledger_account, trim(currency) AS currency, balance_minor, last_seq, overdraft_limit_minor
      FROM account_balances ORDER BY 1, 2`);
    expect(balances).toEqual([
      {
        ledger_account: CUSTOMER,
        currency: "EUR",
        balance_minor: -500n,
        last_seq: 2n,
        overdraft_limit_minor: null,
      },
      {
        ledger_account: CUSTOMER,
        currency: "GBP",
        balance_minor: 0n,
        last_seq: 0n,
        overdraft_limit_minor: null,
      },
      {
        ledger_account: CUSTOMER,
        currency: "USD",
        balance_minor: -1_375n,
        last_seq: 4n,
        overdraft_limit_minor: null,
      },
      {
        ledger_account: MERCHANT,
        currency: "EUR",
        balance_minor: 500n,
        last_seq: 2n,
        overdraft_limit_minor: null,
      },
      {
        ledger_account: MERCHANT,
        currency: "USD",
        balance_minor: 1_375n,
        last_seq: 4n,
        overdraft_limit_minor: null,
      },
    ]);
    for (const check of [await checkStatements(pool), await checkBalances(pool), await checkLimits(pool)])
      expect({ check: check.name, offenders: check.offenders }).toEqual({ check: check.name, offenders: [] });
    // The CHECK refuses a limit the migrated balance already breaks.
    await expect(
      pool.query(sql.unsafe`
        UPDATE account_balances SET overdraft_limit_minor = 1000
        WHERE ledger_account = ${CUSTOMER} AND currency = 'USD'`),
    ).rejects.toThrow(/check integrity constraint/);
  });
});
