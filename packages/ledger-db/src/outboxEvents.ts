// The outbox side of a batch: its events written in batch order, and the relay woken on commit.
import type { DatabaseTransactionConnection } from "slonik";
import { sql } from "slonik";
import type { OutboxEvent } from "./ledgerRows.ts";

export const OUTBOX_CHANNEL = "ledgerline_outbox";

export const insertEvents = async (tx: DatabaseTransactionConnection, events: readonly OutboxEvent[]) => {
  if (events.length === 0) return;
  // ORDER BY n keeps the batch order in the sequence column (per-account order for the relay).
  await tx.query(sql.unsafe`
    INSERT INTO outbox (event_id, aggregate_id, topic_id, event_type, payload, traceparent)
    SELECT o.event_id, o.aggregate_id, o.topic_id, o.event_type, o.payload, o.traceparent
    FROM json_to_recordset(${sql.json(events.map((o, n) => ({ ...o, n })) as never)})
      AS o(event_id uuid, aggregate_id text, topic_id text, event_type text, payload jsonb, traceparent text, n int)
    ORDER BY o.n`);
  await tx.query(sql.unsafe`SELECT pg_notify(${OUTBOX_CHANNEL}, current_schema())`);
};
