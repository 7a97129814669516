// The plans behind a read benchmark's figures: record the last statement a ledger-db function sent (a
// slonik interceptor on the benchmark's pool), then EXPLAIN (ANALYZE, BUFFERS) exactly that text and those
// values on a plain client.
import type pg from "pg";
import type { Interceptor } from "slonik";

export interface QueryRecorder {
  /** Put it in the pool's interceptors. */
  readonly interceptor: Interceptor;
  /** The plan of the last statement the pool sent, as EXPLAIN prints it. */
  readonly explainLast: (client: pg.Client) => Promise<string>;
}

export const queryRecorder = (): QueryRecorder => {
  let last: { sql: string; values: readonly unknown[] } | undefined;
  return {
    interceptor: {
      name: "capture",
      beforeQueryExecution: (_context, query) => {
        last = { sql: query.sql, values: query.values };
        return null;
      },
    },
    explainLast: async (client) => {
      if (!last) throw new Error("explainLast: the pool has sent no statement yet");
      const { rows } = await client.query<{ "QUERY PLAN": string }>(
        `EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${last.sql}`,
        [...last.values],
      );
      return rows.map((row) => row["QUERY PLAN"]).join("\n");
    },
  };
};
