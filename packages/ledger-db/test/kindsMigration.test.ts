// Migration 9 (transaction kinds) on a ledger written before it: every posting is kept, customer postings
// move to their client's own account, and balances are summed again from the postings.
import { randomBytes } from "node:crypto";
import { testEnvironment, withSearchPath } from "@ledgerline/testkit";
import { afterAll, describe, expect, it } from "vitest";
import { createLedgerPool, type DatabasePool, kindViolations, migrate, sql } from "../src/index.ts";

const base = testEnvironment().testDatabaseUrl;
const schema = `t_kinds_migration_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
let pool: DatabasePool | undefined;

afterAll(async () => {
  await pool?.query(sql.unsafe`DROP SCHEMA IF EXISTS ${sql.identifier([schema])} CASCADE`);
  await pool?.end();
});

describe("migration 9: transaction kinds", () => {
  it("moves each customer posting to its client's account without losing one", async () => {
    await migrate(base, { schema, count: 9 });
    pool = await createLedgerPool(withSearchPath(base, schema), { maximumPoolSize: 2 });
    // Two clients' ACC-1 shared customer:ACC-1 before kinds; a historical row has no postings.
    const rows = [
      ["00000000-0000-4000-8000-000000000001", "alpha", "ACC-1", 1_000n],
      ["00000000-0000-4000-8000-000000000002", "beta", "ACC-1", 300n],
      ["00000000-0000-4000-8000-000000000003", "alpha", "ACC-2", 50n],
    ] as const;
    for (const [id, client, account, amount] of rows) {
      await pool.query(sql.unsafe`
        INSERT INTO transactions (transaction_id, account_id, amount_minor, currency, merchant_name, status, client_id)
        VALUES (${id}, ${account}, ${amount.toString()}, 'USD', 'SHOP', 'posted', ${client})`);
      await pool.query(sql.unsafe`
        INSERT INTO postings (transaction_id, ledger_account, currency, amount_minor) VALUES
          (${id}, ${`customer:${account}`}, 'USD', ${(-amount).toString()}),
          (${id}, 'merchant:SHOP', 'USD', ${amount.toString()})`);
    }
    await pool.query(sql.unsafe`
      INSERT INTO account_balances (ledger_account, currency, balance_minor) VALUES
        ('customer:ACC-1', 'USD', -1300), ('customer:ACC-2', 'USD', -50), ('merchant:SHOP', 'USD', 1350)`);

    await migrate(base, { schema });

    const postings = await pool.any(sql.unsafe`
      SELECT transaction_id::text, ledger_account, amount_minor FROM postings ORDER BY 1, 2`);
    expect(postings).toEqual([
      { transaction_id: rows[0][0], ledger_account: "customer:alpha:ACC-1", amount_minor: -1_000n },
      { transaction_id: rows[0][0], ledger_account: "merchant:SHOP", amount_minor: 1_000n },
      { transaction_id: rows[1][0], ledger_account: "customer:beta:ACC-1", amount_minor: -300n },
      { transaction_id: rows[1][0], ledger_account: "merchant:SHOP", amount_minor: 300n },
      { transaction_id: rows[2][0], ledger_account: "customer:alpha:ACC-2", amount_minor: -50n },
      { transaction_id: rows[2][0], ledger_account: "merchant:SHOP", amount_minor: 50n },
    ]);
    const balances = await pool.any(sql.unsafe`
      SELECT ledger_account, balance_minor FROM account_balances ORDER BY 1`);
    expect(balances).toEqual([
      { ledger_account: "customer:alpha:ACC-1", balance_minor: -1_000n },
      { ledger_account: "customer:alpha:ACC-2", balance_minor: -50n },
      { ledger_account: "customer:beta:ACC-1", balance_minor: -300n },
      { ledger_account: "merchant:SHOP", balance_minor: 1_350n },
    ]);
    expect(await pool.anyFirst(sql.unsafe`SELECT DISTINCT type FROM transactions`)).toEqual(["payment"]);
    expect(await kindViolations(pool)).toEqual({
      wrongLegs: [],
      refundsOverOriginal: [],
      sharedAccounts: [],
    });
    // The last line of defence: no update can make refunds exceed their original.
    await expect(
      pool.query(
        sql.unsafe`UPDATE transactions SET refunded_minor = 1001 WHERE transaction_id = ${rows[0][0]}`,
      ),
    ).rejects.toThrow(/check integrity constraint/);
  });
});
