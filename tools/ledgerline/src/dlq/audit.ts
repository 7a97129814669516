// The replay audit in Postgres (table dlq_replays): one row per run, dry runs included.

import { createLedgerPool, sql } from "@ledgerline/ledger-db";
import { Redacted } from "effect";

export interface ReplayCounts {
  readonly selected: number;
  readonly replayed: number;
  readonly refused: number;
  readonly parked: number;
}

export interface ReplayAuditRow extends ReplayCounts {
  readonly replayId: string;
  readonly operator: string;
  readonly filter: unknown;
  readonly dryRun: boolean;
  readonly startedAt: string;
  readonly finishedAt: string | null;
}

export const startReplayAudit = async (
  databaseUrl: Redacted.Redacted<string>,
  row: {
    replayId: string;
    operator: string;
    filter: Record<string, unknown>;
    dryRun: boolean;
    selected: number;
  },
): Promise<void> => {
  const pool = await createLedgerPool(Redacted.value(databaseUrl), { maximumPoolSize: 1 });
  try {
    await pool.query(sql.unsafe`
      INSERT INTO dlq_replays (replay_id, operator, filter, dry_run, selected_count)
      VALUES (${row.replayId}, ${row.operator}, ${sql.jsonb(row.filter as never)}, ${row.dryRun}, ${row.selected})`);
  } finally {
    await pool.end();
  }
};

export const finishReplayAudit = async (
  databaseUrl: Redacted.Redacted<string>,
  replayId: string,
  counts: ReplayCounts,
): Promise<void> => {
  const pool = await createLedgerPool(Redacted.value(databaseUrl), { maximumPoolSize: 1 });
  try {
    await pool.query(sql.unsafe`
      UPDATE dlq_replays SET selected_count = ${counts.selected}, replayed_count = ${counts.replayed},
        refused_count = ${counts.refused}, parked_count = ${counts.parked}, finished_at = now()
      WHERE replay_id = ${replayId}`);
  } finally {
    await pool.end();
  }
};

export const listReplayAudit = async (
  databaseUrl: Redacted.Redacted<string>,
  limit: number,
): Promise<ReplayAuditRow[]> => {
  const pool = await createLedgerPool(Redacted.value(databaseUrl), { maximumPoolSize: 1 });
  try {
    const rows = await pool.any(sql.unsafe`
      SELECT replay_id, operator, filter, dry_run, selected_count, replayed_count, refused_count, parked_count,
             to_char(started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS started_at,
             to_char(finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS finished_at
      FROM dlq_replays ORDER BY started_at DESC LIMIT ${limit}`);
    return (rows as readonly Record<string, unknown>[]).map((r) => ({
      replayId: String(r.replay_id),
      operator: String(r.operator),
      filter: r.filter,
      dryRun: Boolean(r.dry_run),
      selected: Number(r.selected_count),
      replayed: Number(r.replayed_count),
      refused: Number(r.refused_count),
      parked: Number(r.parked_count),
      startedAt: String(r.started_at),
      finishedAt: r.finished_at === null ? null : String(r.finished_at),
    }));
  } finally {
    await pool.end();
  }
};
