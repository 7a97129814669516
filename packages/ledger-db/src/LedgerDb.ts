// The ledger database as an Effect service: a slonik pool with exact money parsing, and typed errors.
import { componentHealth } from "@ledgerline/observability";
import { retryTransient } from "@ledgerline/resilience";
import { Context, Effect, Layer } from "effect";
import type { DatabasePool, DatabaseTransactionConnection } from "slonik";
import { type LedgerDbError, toLedgerDbError } from "./LedgerDbError.ts";
import { createLedgerPool, type LedgerPoolOptions } from "./pool.ts";

export interface LedgerDbOptions extends LedgerPoolOptions {
  readonly databaseUrl: string;
}

export class LedgerDb extends Context.Service<
  LedgerDb,
  {
    readonly pool: DatabasePool;
    /** Runs `work` in one database transaction; every failure becomes a LedgerDbError. */
    transaction<A>(
      what: string,
      work: (tx: DatabaseTransactionConnection) => Promise<A>,
    ): Effect.Effect<A, LedgerDbError>;
    /** Any pool call (a single statement, a connection checkout) with errors classified. */
    use<A>(what: string, work: (pool: DatabasePool) => Promise<A>): Effect.Effect<A, LedgerDbError>;
  }
>()("ledgerline/ledger-db/LedgerDb") {
  static readonly layer = (options: LedgerDbOptions) =>
    Layer.effect(
      LedgerDb,
      Effect.gen(function* () {
        // Creating the pool reads type ids from Postgres: a restart at that moment must not end the process
        // (nor, in a test, silently end the stage). Retried like every transient fault, one attempt per
        // acquisition: Effect cannot interrupt an acquisition, and the retries must not be one, or a
        // SIGTERM while Postgres is away would wait for Postgres.
        const health = componentHealth("database");
        health.starting("connecting");
        const pool = yield* Effect.acquireRelease(
          Effect.tryPromise({
            try: () => createLedgerPool(options.databaseUrl, options),
            catch: (error) => toLedgerDbError(error, "create pool"),
          }),
          (pool) => Effect.promise(() => pool.end()),
        ).pipe(retryTransient({ health, what: "connect to the ledger database" }));
        health.ready("pool created");
        return LedgerDb.of({
          pool,
          transaction: (what, work) =>
            Effect.tryPromise({
              try: () => pool.transaction((tx) => work(tx)),
              catch: (error) => toLedgerDbError(error, what),
            }),
          use: (what, work) =>
            Effect.tryPromise({
              try: () => work(pool),
              catch: (error) => toLedgerDbError(error, what),
            }),
        });
      }),
    );
}
