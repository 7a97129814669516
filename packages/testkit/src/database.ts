// Each Postgres test gets its own schema in TEST_DATABASE_URL, migrated, reachable through a URL
// whose search_path lands every client (slonik, pg, child processes) in that schema.
import { randomBytes } from "node:crypto";
import { createLedgerPool, type DatabasePool, migrate, sql } from "@ledgerline/ledger-db";
import { testEnvironment } from "./environment.ts";

export interface TestDatabase {
  /** TEST_DATABASE_URL with `options=-c search_path=<schema>`. */
  readonly url: string;
  readonly schema: string;
  /** A pool on `url` (exact int8/numeric parsing), closed by cleanup. */
  readonly pool: DatabasePool;
  cleanup(): Promise<void>;
}

export const withSearchPath = (databaseUrl: string, schema: string): string => {
  const url = new URL(databaseUrl);
  url.searchParams.set("options", `-c search_path=${schema}`);
  return url.toString();
};

/** The same database and schema as `url`, logged in as `role` (the stack's runtime roles share the
 *  application role's password). */
export const withRole = (url: string, role: string): string => {
  const parsed = new URL(url);
  parsed.username = role;
  return parsed.toString();
};

/** `baseUrl`: the database to create the schema in (default TEST_DATABASE_URL; a throwaway Postgres in fault tests). */
export const createTestDatabase = async (label = "t", baseUrl?: string): Promise<TestDatabase> => {
  const base = baseUrl ?? testEnvironment().testDatabaseUrl;
  const schema = `t_${label.replace(/[^a-z0-9]/gi, "_").toLowerCase()}_${Date.now().toString(36)}_${randomBytes(3).toString("hex")}`;
  await migrate(base, { schema });
  const url = withSearchPath(base, schema);
  const pool = await createLedgerPool(url, { maximumPoolSize: 4 });
  return {
    url,
    schema,
    pool,
    cleanup: async () => {
      await pool.end();
      const admin = await createLedgerPool(base, { maximumPoolSize: 1 });
      try {
        await admin.query(sql.unsafe`DROP SCHEMA IF EXISTS ${sql.identifier([schema])} CASCADE`);
      } finally {
        await admin.end();
      }
    },
  };
};
