// Waits until accepted transactions reach a final state in the ledger; accept → final latencies.

import { createLedgerPool, sql } from "@ledgerline/ledger-db";
import { Redacted } from "effect";

export interface FinalStates {
  readonly byStatus: Readonly<Record<string, number>>;
  /** accepted_at → posted_at (or recorded_at for rejected / dead-lettered), in ms. */
  readonly endToEndMs: readonly number[];
  readonly missing: readonly string[];
}

export const waitForFinalStates = async (
  databaseUrl: Redacted.Redacted<string>,
  transactionIds: readonly string[],
  options: { timeoutMs: number; shouldStop: () => boolean; onProgress?: (done: number) => void },
): Promise<FinalStates> => {
  const pool = await createLedgerPool(Redacted.value(databaseUrl), { maximumPoolSize: 2 });
  const found = new Map<string, { status: string; ms: number }>();
  const deadline = Date.now() + options.timeoutMs;
  try {
    let pending = [...transactionIds];
    while (pending.length > 0 && Date.now() < deadline && !options.shouldStop()) {
      for (let i = 0; i < pending.length; i += 1000) {
        const chunk = pending.slice(i, i + 1000);
        const rows = await pool.any(sql.unsafe`
          SELECT transaction_id::text AS id, status,
                 EXTRACT(EPOCH FROM (COALESCE(posted_at, recorded_at) - accepted_at)) * 1000 AS ms
          FROM transactions WHERE transaction_id = ANY(${sql.array(chunk, "uuid")})`);
        for (const row of rows as readonly { id: string; status: string; ms: string | null }[]) {
          found.set(row.id, { status: row.status, ms: row.ms === null ? Number.NaN : Number(row.ms) });
        }
      }
      pending = pending.filter((id) => !found.has(id));
      options.onProgress?.(found.size);
      if (pending.length > 0) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    const byStatus: Record<string, number> = {};
    for (const { status } of found.values()) byStatus[status] = (byStatus[status] ?? 0) + 1;
    return {
      byStatus,
      endToEndMs: [...found.values()].map((v) => v.ms).filter((ms) => !Number.isNaN(ms)),
      missing: pending,
    };
  } finally {
    await pool.end();
  }
};
