import { createTestDatabase, type TestDatabase } from "@ledgerline/testkit";
import { Effect } from "effect";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LedgerDb, LedgerDbError, sql } from "../src/index.ts";

describe("ledger-db", () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase("ledgerdb");
  });
  afterAll(async () => {
    await db?.cleanup();
  });

  it("migrates into the test schema, and both slonik and pg land there through the URL", async () => {
    const schema = await db.pool.oneFirst(sql.unsafe`SELECT current_schema()`);
    expect(schema).toBe(db.schema);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query("SELECT current_schema() AS s, count(*)::int AS n FROM transactions");
    await client.end();
    expect(rows[0]).toEqual({ s: db.schema, n: 0 });
  });

  it("parses int8 as bigint and numeric as an exact string", async () => {
    const row = (await db.pool.one(
      sql.unsafe`SELECT 9007199254740993::int8 AS big, 1.100000000001::numeric AS rate, 0.1::numeric(28,12) AS tenth`,
    )) as { big: unknown; rate: unknown; tenth: unknown };
    expect(row.big).toBe(9007199254740993n);
    expect(row.rate).toBe("1.100000000001");
    expect(row.tenth).toBe("0.100000000000");
  });

  it("classifies errors: a constraint violation is not retryable, a terminated backend is", async () => {
    const program = Effect.gen(function* () {
      const ledger = yield* LedgerDb;
      const constraint = yield* ledger
        .use("bad status", (pool) =>
          pool.query(
            sql.unsafe`INSERT INTO transactions (transaction_id, status) VALUES (gen_random_uuid(), 'nope')`,
          ),
        )
        .pipe(Effect.flip);
      const terminated = yield* ledger
        .transaction("suicide", (tx) => tx.query(sql.unsafe`SELECT pg_terminate_backend(pg_backend_pid())`))
        .pipe(Effect.flip);
      return { constraint, terminated };
    });
    const { constraint, terminated } = await Effect.runPromise(
      program.pipe(
        Effect.provide(LedgerDb.layer({ databaseUrl: db.url, maximumPoolSize: 2 })),
        Effect.scoped,
      ),
    );
    expect(constraint).toBeInstanceOf(LedgerDbError);
    expect(constraint.reason).toBe("CONSTRAINT_VIOLATION");
    expect(constraint.retryable).toBe(false);
    expect(["ADMIN_SHUTDOWN", "CONNECTION_LOST"]).toContain(terminated.reason);
    expect(terminated.retryable).toBe(true);
  });
});
