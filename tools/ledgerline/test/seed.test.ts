// seed 002's seed_data.py: 100 Historical rows, and running it twice adds nothing.

import { sql } from "@ledgerline/ledger-db";
import { createTestDatabase, type TestDatabase } from "@ledgerline/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
});
