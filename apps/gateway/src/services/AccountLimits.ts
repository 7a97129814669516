// Overdraft limits as an Effect service: the gateway's only writes to the ledger (the limit columns of a
// balance row, through @ledgerline/ledger-db's one-statement upsert and update).
import { LedgerDb, removeAccountLimit, type SetLimitOutcome, setAccountLimit } from "@ledgerline/ledger-db";
import { Context, Effect, Layer } from "effect";
import { LedgerUnavailable } from "../errors.ts";

export interface LimitChange {
  readonly ledgerAccount: string;
  readonly currency: string;
  /** Who: the client of the key that asked. */
  readonly updatedBy: string;
}

export class AccountLimits extends Context.Service<
  AccountLimits,
  {
    /** Sets a limit (minor units, ≥ 0); refused when the balance already breaks it. */
    set(
      change: LimitChange & { readonly limitMinor: bigint },
    ): Effect.Effect<SetLimitOutcome, LedgerUnavailable>;
    /** Removes a limit; false when the currency had none. */
    remove(change: LimitChange): Effect.Effect<boolean, LedgerUnavailable>;
  }
>()("ledgerline/gateway/AccountLimits") {
  static readonly layer = Layer.effect(
    AccountLimits,
    Effect.gen(function* () {
      const db = yield* LedgerDb;
      const unavailable = (error: { message: string }) =>
        new LedgerUnavailable({ detail: `ledger: ${error.message}` });
      return AccountLimits.of({
        set: (change) =>
          db.use("set limit", (pool) => setAccountLimit(pool, change)).pipe(Effect.mapError(unavailable)),
        remove: (change) =>
          db
            .use("remove limit", (pool) => removeAccountLimit(pool, change))
            .pipe(Effect.mapError(unavailable)),
      });
    }),
  );
}
