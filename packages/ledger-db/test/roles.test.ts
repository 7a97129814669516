// The runtime roles on the real Postgres (made by ops/stack/up.sh, granted by migrations
// 1700000000005, 1700000000010 and 1700000000011): each does what its app needs and nothing else. None can DROP, TRUNCATE, create a
// table or a database, or write a table outside its grants.
import { randomUUID } from "node:crypto";
import { createTestDatabase, type TestDatabase, withRole } from "@ledgerline/testkit";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "../src/index.ts";

const ROLES = ["ledgerline_gateway", "ledgerline_sink", "ledgerline_ops"] as const;
type Role = (typeof ROLES)[number];

describe("runtime Postgres roles", () => {
  let db: TestDatabase;
  const clients = new Map<Role, pg.Client>();
  beforeAll(async () => {
    db = await createTestDatabase("roles");
    for (const role of ROLES) {
      const client = new pg.Client({ connectionString: withRole(db.url, role) });
      await client.connect();
      clients.set(role, client);
    }
  });
  afterAll(async () => {
    for (const client of clients.values()) await client.end().catch(() => undefined);
    await db?.cleanup();
  });

  /** The SQLSTATE a statement fails with, or "ok". */
  const outcome = async (role: Role, statement: string): Promise<string> => {
    try {
      await clients.get(role)!.query(statement);
      return "ok";
    } catch (error) {
      return (error as { code?: string }).code ?? String(error);
    }
  };
  const insertTransaction = () =>
    `INSERT INTO transactions (transaction_id, account_id, amount_minor, currency, merchant_name, status)
     VALUES ('${randomUUID()}', 'ACC-1', 100, 'USD', 'Shop', 'posted')`;
  const DENIED = "42501";

  it("none is a superuser or can create roles or databases", async () => {
    const rows = (await db.pool.any(sql.unsafe`
      SELECT rolname, rolsuper, rolcreatedb, rolcreaterole, rolbypassrls FROM pg_roles
      WHERE rolname = ANY(${sql.array([...ROLES], "text")}) ORDER BY rolname`)) as readonly {
      rolname: string;
    }[];
    expect(rows.map((r) => r.rolname)).toEqual([...ROLES].sort());
    for (const row of rows)
      expect(row, String(row.rolname)).toMatchObject({
        rolsuper: false,
        rolcreatedb: false,
        rolcreaterole: false,
        rolbypassrls: false,
      });
    for (const role of ROLES) expect(await outcome(role, `CREATE DATABASE x_${role}`), role).toBe(DENIED);
  });

  it("each does what its app needs", async () => {
    expect(await outcome("ledgerline_gateway", "SELECT count(*) FROM transactions")).toBe("ok");
    // GET /v1/accounts (migration 1700000000010): balances, and the postings behind them.
    expect(await outcome("ledgerline_gateway", "SELECT count(*) FROM account_balances")).toBe("ok");
    expect(await outcome("ledgerline_gateway", "SELECT count(*) FROM postings")).toBe("ok");
    // PUT/DELETE /v1/accounts/{id}/limits (migration 1700000000011): the limit columns of a balance row,
    // creating the row of an account nothing was posted on (its balance stays the default 0).
    const setLimit = (account: string, limit: string) =>
      `INSERT INTO account_balances (ledger_account, currency, overdraft_limit_minor, limit_updated_at, limit_updated_by)
       VALUES ('${account}', 'USD', ${limit}, now(), 'acme')
       ON CONFLICT (ledger_account, currency) DO UPDATE
         SET overdraft_limit_minor = EXCLUDED.overdraft_limit_minor, limit_updated_at = EXCLUDED.limit_updated_at,
             limit_updated_by = EXCLUDED.limit_updated_by
         WHERE account_balances.balance_minor >= -EXCLUDED.overdraft_limit_minor
       RETURNING balance_minor`;
    expect(await outcome("ledgerline_gateway", setLimit("customer:acme:ACC-LIMIT", "500"))).toBe("ok");
    expect(await outcome("ledgerline_gateway", setLimit("customer:acme:ACC-LIMIT", "0"))).toBe("ok");
    expect(
      await outcome(
        "ledgerline_gateway",
        `UPDATE account_balances SET overdraft_limit_minor = NULL, limit_updated_at = now(), limit_updated_by = 'ops'
         WHERE ledger_account = 'customer:acme:ACC-LIMIT' AND currency = 'USD' AND overdraft_limit_minor IS NOT NULL`,
      ),
    ).toBe("ok");
    expect(
      await db.pool.one(sql.unsafe`
        SELECT balance_minor, last_seq, overdraft_limit_minor, limit_updated_by FROM account_balances
        WHERE ledger_account = 'customer:acme:ACC-LIMIT'`),
    ).toEqual({ balance_minor: 0n, last_seq: 0n, overdraft_limit_minor: null, limit_updated_by: "ops" });
    expect(await outcome("ledgerline_sink", insertTransaction())).toBe("ok");
    expect(await outcome("ledgerline_sink", "DELETE FROM outbox WHERE sequence < 0")).toBe("ok");
    expect(await outcome("ledgerline_ops", insertTransaction())).toBe("ok");
    expect(
      await outcome(
        "ledgerline_ops",
        `INSERT INTO dlq_replays (replay_id, operator, dry_run) VALUES ('${randomUUID()}', 'test', true)`,
      ),
    ).toBe("ok");
  });

  it("none can DROP, TRUNCATE, create tables, or write outside its grants", async () => {
    for (const role of ROLES) {
      expect(await outcome(role, "DROP TABLE postings"), role).toBe(DENIED);
      expect(await outcome(role, "TRUNCATE transactions"), role).toBe(DENIED);
      expect(await outcome(role, "ALTER TABLE transactions ADD COLUMN x int"), role).toBe(DENIED);
      expect(await outcome(role, "CREATE TABLE intruder (x int)"), role).toBe(DENIED);
      expect(await outcome(role, "DELETE FROM transactions"), role).toBe(DENIED);
      expect(await outcome(role, "SELECT count(*) FROM pgmigrations"), role).toBe(DENIED);
    }
    // The gateway only reads.
    expect(await outcome("ledgerline_gateway", insertTransaction())).toBe(DENIED);
    expect(await outcome("ledgerline_gateway", "UPDATE transactions SET merchant_name = 'x'")).toBe(DENIED);
    expect(await outcome("ledgerline_gateway", "SELECT count(*) FROM outbox")).toBe(DENIED);
    // It sets limits, and never a balance: not by UPDATE, nor by creating a row with one.
    expect(await outcome("ledgerline_gateway", "UPDATE account_balances SET balance_minor = 0")).toBe(DENIED);
    for (const column of ["balance_minor", "updated_at", "last_seq"])
      expect(
        await outcome(
          "ledgerline_gateway",
          `UPDATE account_balances SET ${column} = ${column} WHERE ledger_account = 'customer:acme:ACC-LIMIT'`,
        ),
        column,
      ).toBe(DENIED);
    expect(
      await outcome(
        "ledgerline_gateway",
        `INSERT INTO account_balances (ledger_account, currency, balance_minor) VALUES ('customer:x:ACC-9', 'USD', 100)`,
      ),
    ).toBe(DENIED);
    expect(await outcome("ledgerline_gateway", "DELETE FROM account_balances")).toBe(DENIED);
    expect(
      await outcome(
        "ledgerline_gateway",
        `INSERT INTO postings (transaction_id, ledger_account, currency, amount_minor)
         VALUES ('${randomUUID()}', 'customer:x:ACC-1', 'USD', 1)`,
      ),
    ).toBe(DENIED);
    // The sink does not touch the ops audit; ops deletes nothing.
    expect(
      await outcome(
        "ledgerline_sink",
        `INSERT INTO dlq_replays (replay_id, operator, dry_run) VALUES ('${randomUUID()}', 'sink', true)`,
      ),
    ).toBe(DENIED);
    expect(await outcome("ledgerline_ops", "DELETE FROM outbox")).toBe(DENIED);
  });
});
