// The outbox relay's statements: claim unpublished events of some shards, delete them once published, park
// an event that cannot be encoded (it must not block the others), list and retry parked events.
import type { CommonQueryMethods, DatabasePool, DatabaseTransactionConnection } from "slonik";
import { sql } from "slonik";

export const OUTBOX_SHARDS = 16;

/**
 * The shards a relay publishes when `members` (the slots of the connected relays, its own among them) share
 * the outbox: every n-th shard from its rank on, so n relays publish n disjoint parts side by side. A relay
 * that is not a member (its membership connection is down) tries every shard, as a single relay does.
 * Pure. The shard locks still guarantee one relay per shard while membership changes.
 */
export const relayShards = (slot: number | undefined, members: readonly number[]): number[] => {
  const all = Array.from({ length: OUTBOX_SHARDS }, (_, shard) => shard);
  const rank = slot === undefined ? -1 : members.indexOf(slot);
  if (rank < 0) return all;
  return all.filter((shard) => shard % members.length === rank);
};
/** Namespace of the relay's advisory locks (first key of pg_try_advisory_xact_lock(int, int)). */
const LOCK_CLASS = 0x0b0c5;

export interface ClaimedEvent {
  readonly event_id: string;
  readonly aggregate_id: string;
  readonly topic_id: string;
  readonly event_type: string;
  readonly payload: Record<string, unknown>;
  readonly traceparent: string | null;
}

/** Most relays that can be members at once (slots 0..RELAY_SLOTS-1). */
export const RELAY_SLOTS = 64;
/** First key of a relay's membership lock in this schema (second key: its slot). */
const membersKey = sql.fragment`hashtext(current_schema() || '.outbox-relay-members')`;

/**
 * Joins the relays of this schema: takes the first free slot as a session advisory lock on the relay's
 * own connection, held until that connection ends (a killed relay's slot frees with its backend).
 * Returns the slot, or undefined when all are taken.
 */
export const joinRelayMembers = async (
  query: (text: string, values: unknown[]) => Promise<{ rows: { ok: boolean }[] }>,
): Promise<number | undefined> => {
  for (let slot = 0; slot < RELAY_SLOTS; slot++) {
    const { rows } = await query(
      "SELECT pg_try_advisory_lock(hashtext(current_schema() || '.outbox-relay-members'), $1) AS ok",
      [slot],
    );
    if (rows[0]?.ok) return slot;
  }
  return undefined;
};

/** Slots of the relays connected to this schema now, in order (pg_locks: every session's advisory locks). */
export const relayMembers = async (db: CommonQueryMethods): Promise<number[]> =>
  (
    (await db.anyFirst(sql.unsafe`
    SELECT objid::int FROM pg_locks
    WHERE locktype = 'advisory' AND granted AND objsubid = 2 AND objid::bigint < ${RELAY_SLOTS}
      AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
      AND classid::bigint = (${membersKey}::bigint & 4294967295)
    ORDER BY 1`)) as number[]
  ).slice();

/**
 * Takes shard locks (one relay per shard at a time) and returns up to `limit` events of those shards, in
 * order. `shards` are the ones this relay should try (relayShards); all of them when not given. The shard
 * locks are what keeps two relays off the same rows until this transaction ends, so the rows themselves
 * are not locked (a row lock is a write: a tuple update and a WAL record per event).
 */
export const claimEvents = async (
  tx: DatabaseTransactionConnection,
  limit: number,
  candidates?: readonly number[],
): Promise<ClaimedEvent[]> => {
  const tried = candidates ?? Array.from({ length: OUTBOX_SHARDS }, (_, shard) => shard);
  if (tried.length === 0) return [];
  const shards = (await tx.anyFirst(sql.unsafe`
    SELECT s FROM unnest(${sql.array([...tried], "int4")}) AS s
    WHERE pg_try_advisory_xact_lock(${LOCK_CLASS}, hashtext(current_schema()) # s)`)) as number[];
  if (shards.length === 0) return [];
  // The claim must read the head of the sequence index, never the whole table. The outbox is a queue: rows
  // are inserted and deleted thousands a second, and autovacuum (and with it ANALYZE) visits it at most once
  // a minute, so the planner's statistics describe a table that no longer exists. With them it chose a
  // sequential scan and a sort of every live and dead row, growing with each pass until the next vacuum
  // (`npm run bench:e2e -- --statements`, batch 4,000/s: 40 µs per transaction, the ledger's costliest
  // statement). Turning the other plans off for this transaction leaves the index scan, which stops after
  // `limit` rows.
  await tx.query(
    sql.unsafe`SELECT set_config('enable_seqscan', 'off', true), set_config('enable_bitmapscan', 'off', true)`,
  );
  return [
    ...((await tx.any(sql.unsafe`
      SELECT event_id::text, aggregate_id, topic_id, event_type, payload, traceparent FROM outbox
      WHERE parked_at IS NULL
        AND mod(abs(hashtext(aggregate_id)), ${OUTBOX_SHARDS}) = ANY(${sql.array(shards, "int4")})
      ORDER BY sequence
      LIMIT ${limit}`)) as readonly ClaimedEvent[]),
  ];
};

/**
 * Removes published events, in the transaction that claimed them. Kafka's topic is the record of what was
 * published; a deleted row costs Postgres far less than an updated one kept for a retention period.
 */
export const deletePublished = async (tx: DatabaseTransactionConnection, eventIds: readonly string[]) => {
  if (eventIds.length === 0) return;
  await tx.query(sql.unsafe`DELETE FROM outbox WHERE event_id = ANY(${sql.array([...eventIds], "uuid")})`);
};

/** Sets an event aside with the reason it cannot be published; the others go on. */
export const parkEvent = async (db: CommonQueryMethods, eventId: string, reason: string) => {
  await db.query(sql.unsafe`
    UPDATE outbox SET parked_at = now(), park_reason = ${reason.replaceAll("\u0000", "").slice(0, 2_000)}
    WHERE event_id = ${eventId}`);
};

export interface ParkedEvent {
  readonly event_id: string;
  readonly topic_id: string;
  readonly event_type: string;
  readonly aggregate_id: string;
  readonly parked_at: string;
  readonly park_reason: string;
}

export const parkedEvents = async (db: CommonQueryMethods): Promise<ParkedEvent[]> => [
  ...((await db.any(sql.unsafe`
    SELECT event_id::text, topic_id, event_type, aggregate_id, park_reason,
      to_char(parked_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') AS parked_at
    FROM outbox WHERE parked_at IS NOT NULL ORDER BY sequence`)) as readonly ParkedEvent[]),
];

/** Puts parked events back in line (all of them when `eventIds` is empty); returns how many. */
export const retryParked = async (pool: DatabasePool, eventIds: readonly string[]): Promise<number> => {
  const result = await pool.query(
    eventIds.length === 0
      ? sql.unsafe`UPDATE outbox SET parked_at = NULL, park_reason = NULL WHERE parked_at IS NOT NULL`
      : sql.unsafe`UPDATE outbox SET parked_at = NULL, park_reason = NULL
          WHERE event_id = ANY(${sql.array([...eventIds], "uuid")}) AND parked_at IS NOT NULL`,
  );
  await pool.query(sql.unsafe`SELECT pg_notify('ledgerline_outbox', current_schema())`);
  return result.rowCount;
};

/** Backlog for the metrics: unpublished (not parked) events, their oldest age, and parked events. */
export const outboxBacklog = async (db: CommonQueryMethods) =>
  (await db.one(sql.unsafe`
    SELECT count(*) FILTER (WHERE parked_at IS NULL) AS backlog,
      coalesce(extract(epoch FROM now() - min(created_at) FILTER (WHERE parked_at IS NULL)), 0)::float8 AS oldest_seconds,
      count(*) FILTER (WHERE parked_at IS NOT NULL) AS parked
    FROM outbox`)) as { backlog: bigint; oldest_seconds: number; parked: bigint };
