// The outbox check: one transactions.posted event per posted transaction, counting the events still in
// the outbox and those read back from the topic.
import { type DatabasePool, sql } from "slonik";
import { type Aggregate, aggregate, timed } from "./checkResult.ts";

/** A transactions.posted event as read back from the topic. */
export interface PublishedEvent {
  readonly event_id: string;
  readonly transaction_id: string;
}

const EVENTS_BATCH = 10_000;

/**
 * One event per posted transaction, and none for another: the outbox's waiting events and `published`
 * (what was read back from transactions.posted; ledger-db reads no Kafka) are loaded into a temporary
 * table and counted per transaction, distinct event ids (a relay crash may publish one event twice).
 */
export const checkEvents = (
  pool: DatabasePool,
  published: Iterable<readonly PublishedEvent[]> | AsyncIterable<readonly PublishedEvent[]>,
  limit = 20,
) =>
  timed("events", () =>
    pool.transaction(async (tx) => {
      await tx.query(sql.unsafe`
        CREATE TEMPORARY TABLE published_events (transaction_id uuid, event_id uuid) ON COMMIT DROP`);
      for await (const batch of published) {
        for (let i = 0; i < batch.length; i += EVENTS_BATCH) {
          const slice = batch.slice(i, i + EVENTS_BATCH);
          await tx.query(sql.unsafe`
            INSERT INTO published_events
            SELECT * FROM unnest(${sql.array(
              slice.map((e) => e.transaction_id),
              "uuid",
            )}::uuid[], ${sql.array(
              slice.map((e) => e.event_id),
              "uuid",
            )}::uuid[])`);
        }
      }
      return (await aggregate(
        tx,
        sql.fragment`
          SELECT coalesce(t.transaction_id, e.transaction_id)::text AS id,
            CASE WHEN t.transaction_id IS NULL THEN 'not posted, ' ELSE '' END || coalesce(e.n, 0) || ' event(s)'
              AS detail,
            t.transaction_id IS NULL OR e.n IS DISTINCT FROM 1 AS bad
          FROM (SELECT transaction_id FROM transactions WHERE status = 'posted') t
          FULL JOIN (
            SELECT transaction_id, count(*) AS n FROM (
              SELECT (payload->>'transaction_id')::uuid AS transaction_id, event_id FROM outbox
              WHERE topic_id = 'posted'
              UNION
              SELECT transaction_id, event_id FROM published_events
            ) events GROUP BY transaction_id
          ) e USING (transaction_id)`,
        limit,
      )) as Aggregate;
    }),
  );
