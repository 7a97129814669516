// Applies the ledger migrations (node-pg-migrate, SQL files in ../migrations). Also a CLI:
// `node packages/ledger-db/src/migrate.ts` migrates DATABASE_URL.
import { fileURLToPath } from "node:url";
import { Config, Effect, Option, Redacted } from "effect";
import { runner } from "node-pg-migrate";
import pg from "pg";

export const migrationsDir = fileURLToPath(new URL("../migrations", import.meta.url));

export interface MigrateOptions {
  /** Target schema (created when missing); defaults to public. Tests use one schema each. */
  readonly schema?: string;
  readonly log?: (message: string) => void;
  /** Apply only this many pending migrations (a migration's test starts from the ledger before it). */
  readonly count?: number;
}

export class DatabaseUnreachableError extends Error {
  override readonly name = "DatabaseUnreachableError";
}

/** Fails fast with a clear error when the server cannot be reached, rather than a migrator stack trace. */
const assertReachable = async (databaseUrl: string): Promise<void> => {
  const client = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query("SELECT 1");
  } catch (error) {
    const where = databaseUrl.replace(/\/\/([^:@/]+):[^@/]*@/, "//$1:***@");
    throw new DatabaseUnreachableError(`cannot reach Postgres at ${where}: ${(error as Error).message}`, {
      cause: error,
    });
  } finally {
    await client.end().catch(() => undefined);
  }
};

export const migrate = async (databaseUrl: string, options: MigrateOptions = {}): Promise<void> => {
  await assertReachable(databaseUrl);
  const schema = options.schema ?? "public";
  await runner({
    databaseUrl,
    dir: migrationsDir,
    direction: "up",
    migrationsTable: "pgmigrations",
    schema,
    createSchema: true,
    // Several processes (stack start, parallel tests) may migrate at once: wait, do not fail.
    advisoryLockMode: "wait",
    log: options.log ?? (() => undefined),
    ...(options.count === undefined ? {} : { count: options.count }),
  });
};

const isMain = process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1];
/** What the CLI reads (through Effect Config, like every app's Config.ts). */
const cliConfig = Config.all({
  databaseUrl: Config.Redacted("DATABASE_URL").pipe(
    Config.withDefault(Redacted.make("postgres://ledgerline:ledgerline@127.0.0.1:5432/ledgerline")),
  ),
  // A schema of its own (tests); public when unset.
  schema: Config.String("DATABASE_SCHEMA").pipe(Config.option, Config.map(Option.getOrUndefined)),
});

if (isMain) {
  Effect.runPromise(cliConfig)
    .then(({ databaseUrl, schema }) =>
      migrate(Redacted.value(databaseUrl), {
        ...(schema === undefined ? {} : { schema }),
        log: (message) => console.log(message),
      }),
    )
    .then(
      () => console.log("ledger-db: migrations applied"),
      (error: unknown) => {
        console.error(`ledger-db: migration failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
}
