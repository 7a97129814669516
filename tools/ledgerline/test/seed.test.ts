// seed 002's seed_data.py: 100 Historical rows, and running it twice adds nothing.

import { sql } from "@ledgerline/ledger-db";
import { createTestDatabase, type TestDatabase } from "@ledgerline/testkit";
import { Redacted } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { usablePaysim } from "../src/paysim/load.ts";
import { insertHistorical } from "../src/seed/historicalRows.ts";
import { runCli } from "./cli.ts";

describe("ledgerline seed", () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase("seed");
  });
  afterAll(async () => {
    await database?.cleanup();
  });

  it("loads 100 Historical transactions, and a second run adds nothing", async () => {
    const env = { ...process.env, DATABASE_URL: database.url };
    const first = await runCli(["seed", "--json"], env);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({
      read: 100,
      inserted: 100,
      alreadyPresent: 0,
      historical: 100,
    });
    const second = await runCli(["seed"], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(
      /seeded 0 Historical transaction\(s\) \(100 already present\); the ledger now holds 100 Historical rows/,
    );
    const counts = await database.pool.one(
      sql.unsafe`SELECT count(*) FILTER (WHERE status = 'historical' AND source = 'historical') AS historical, count(*) AS total FROM transactions`,
    );
    expect(counts).toEqual({ historical: 100n, total: 100n });
  });

  it("records each row as its kind: a payment's merchant, a transfer's counterparty, the PaySim type kept", async () => {
    const rows = (await database.pool.any(sql.unsafe`
      SELECT type, merchant_name, counterparty_account_id, metadata->>'paysim_type' AS paysim_type
      FROM transactions WHERE status = 'historical'`)) as ReadonlyArray<{
      type: string;
      merchant_name: string;
      counterparty_account_id: string | null;
      paysim_type: string;
    }>;
    const kinds = {
      PAYMENT: "payment",
      TRANSFER: "transfer",
      CASH_IN: "cash_in",
      CASH_OUT: "cash_out",
      DEBIT: "debit",
    };
    expect(new Set(rows.map((r) => r.type)).size).toBeGreaterThanOrEqual(4);
    for (const r of rows) {
      expect(r.type).toBe(kinds[r.paysim_type as keyof typeof kinds]);
      expect(r.merchant_name === "").toBe(r.type !== "payment");
      expect(r.counterparty_account_id === null).toBe(r.type !== "transfer");
    }
  });

  it("inserts in chunks, each on its own, and a re-run of them adds nothing", async () => {
    const done: number[] = [];
    const result = await insertHistorical(
      Redacted.make(database.url),
      usablePaysim(undefined, { currency: "USD", count: 100 }),
      (n) => done.push(n),
      30,
    );
    expect(result).toEqual({ inserted: 0, alreadyPresent: 100 });
    expect(done).toEqual([30, 60, 90, 100]);
    const more = await insertHistorical(
      Redacted.make(database.url),
      usablePaysim(undefined, { currency: "USD", count: 130 }),
      undefined,
      30,
    );
    expect(more).toEqual({ inserted: 30, alreadyPresent: 100 });
  });
});
