// The ledger's read side as an Effect service (over @ledgerline/ledger-db's pool and read model).
import {
  type AccountCurrencyRow,
  type BalanceAsOfRow,
  type DeadLetterSummary,
  deadLetterSummary,
  decodeCursor,
  decodeStatementCursor,
  encodeStatementCursor,
  getAccount,
  getBalancesAsOf,
  getStatement,
  getTransaction,
  LedgerDb,
  listTransactions,
  type ReportTotalRow,
  reportTotals,
  type StatementQuery,
  type StatementRow,
  sql,
  type TransactionFilters,
  type TransactionRow,
} from "@ledgerline/ledger-db";
import { Context, Duration, Effect, Layer } from "effect";
import { GatewayConfig } from "../Config.ts";
import { LedgerUnavailable, RequestRejected } from "../errors.ts";

const invalidCursor = () =>
  new RequestRejected({
    reason: "INVALID_FIELDS",
    detail: "cursor is not one this API issued",
    errors: [{ field: "cursor", code: "INVALID_CURSOR", message: "use next_cursor from the previous page" }],
  });

export class LedgerReads extends Context.Service<
  LedgerReads,
  {
    /** One transaction; with `clientId`, only if that client submitted it. */
    get(transactionId: string, clientId?: string): Effect.Effect<TransactionRow | null, LedgerUnavailable>;
    list(
      filters: TransactionFilters,
      limit: number,
      cursor: string | undefined,
    ): Effect.Effect<
      { rows: TransactionRow[]; nextCursor: string | null },
      LedgerUnavailable | RequestRejected
    >;
    /** A ledger account's balance rows per currency (`customer:<client>:<account>`); empty: no such account. */
    account(ledgerAccount: string): Effect.Effect<readonly AccountCurrencyRow[], LedgerUnavailable>;
    /** Its balances as of a moment (RFC 3339 text), from the postings. */
    balancesAsOf(
      ledgerAccount: string,
      asOf: string,
    ): Effect.Effect<readonly BalanceAsOfRow[], LedgerUnavailable>;
    /** A page of its statement in one currency; `cursor`: the previous page's next_cursor. */
    statement(
      query: Omit<StatementQuery, "cursor">,
      cursor: string | undefined,
    ): Effect.Effect<
      { rows: StatementRow[]; nextCursor: string | null },
      LedgerUnavailable | RequestRejected
    >;
    /** Totals by status and currency of what `filters` selects (the report's table and chart). */
    totals(filters: TransactionFilters): Effect.Effect<readonly ReportTotalRow[], LedgerUnavailable>;
    /** Dead-lettered rows by reason and the newest few (the console). */
    deadLetters: Effect.Effect<DeadLetterSummary, LedgerUnavailable>;
    /** Readiness: SELECT 1 within the ready timeout. */
    check: Effect.Effect<void, LedgerUnavailable>;
  }
>()("ledgerline/gateway/LedgerReads") {
  static readonly layer = Layer.effect(
    LedgerReads,
    Effect.gen(function* () {
      const db = yield* LedgerDb;
      const { settings } = yield* GatewayConfig;
      const unavailable = (error: { message: string }) =>
        new LedgerUnavailable({ detail: `ledger: ${error.message}` });
      const use = <A>(what: string, work: Parameters<typeof db.use<A>>[1]) =>
        db.use(what, work).pipe(Effect.mapError(unavailable));
      return LedgerReads.of({
        get: (id, clientId) => use("get transaction", (pool) => getTransaction(pool, id, clientId)),
        list: (filters, limit, cursor) => {
          const after = cursor === undefined ? undefined : decodeCursor(cursor);
          if (cursor !== undefined && after === undefined) return Effect.fail(invalidCursor());
          return use("list transactions", (pool) => listTransactions(pool, filters, limit, after));
        },
        account: (ledgerAccount) => use("account", (pool) => getAccount(pool, ledgerAccount)),
        balancesAsOf: (ledgerAccount, asOf) =>
          use("account balances as of", (pool) => getBalancesAsOf(pool, ledgerAccount, asOf)),
        statement: (query, cursor) => {
          const after = cursor === undefined ? undefined : decodeStatementCursor(cursor);
          if (cursor !== undefined && after === undefined) return Effect.fail(invalidCursor());
          return use("account statement", (pool) =>
            getStatement(pool, after === undefined ? query : { ...query, cursor: after }),
          ).pipe(
            Effect.map(({ rows, next }) => ({
              rows,
              nextCursor: next === null ? null : encodeStatementCursor(next),
            })),
          );
        },
        deadLetters: use("dead letter summary", (pool) => deadLetterSummary(pool)),
        totals: (filters) => use("report totals", (pool) => reportTotals(pool, filters)),
        check: use("ready", (pool) => pool.oneFirst(sql.unsafe`SELECT 1`)).pipe(
          Effect.timeoutOrElse({
            duration: Duration.millis(settings.readyTimeoutMs),
            orElse: () =>
              Effect.fail(
                new LedgerUnavailable({ detail: `ledger: no answer within ${settings.readyTimeoutMs} ms` }),
              ),
          }),
          Effect.asVoid,
        ),
      });
    }),
  );
}
