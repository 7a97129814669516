// One Postgres transaction per batch: transactions (idempotent on transaction_id), and only for rows
// really inserted their postings, balance deltas and outbox events; conflicts; the batch's offsets.
import { type DatabaseTransactionConnection, sql } from "@ledgerline/ledger-db";
import {
  aggregateBalanceDeltas,
  type BatchPlan,
  type Candidate,
  type Coordinates,
  payloadHashOf,
  planBatch,
  type SinkInput,
  transactionIdOf,
} from "./domain/toLedgerRows.ts";

/** A record that can never be applied, with why; sent to the DLQ before the batch commits. */
export interface Unapplicable<R> {
  readonly record: R;
  readonly coordinates: Coordinates;
  readonly transactionId: string | null;
  readonly code: string;
  readonly errorClass: string;
  readonly message: string;
  readonly replayable: boolean;
}

export interface WriterBatch<R> {
  readonly groupId: string;
  /** Decoded records with the raw record they came from. */
  readonly inputs: readonly { readonly input: SinkInput; readonly record: R }[];
  /** Records already known to be unapplicable (e.g. undecodable bytes). */
  readonly unapplicable: readonly Unapplicable<R>[];
  /** Next offset per topic/partition after this batch. */
  readonly nextOffsets: readonly Coordinates[];
  readonly now: Date;
  readonly newEventId: () => string;
  /** The record's W3C traceparent, kept with its outbox event so transactions.posted joins the trace. */
  readonly traceparentOf?: (record: R) => string | undefined;
}

export interface WriteResult {
  readonly posted: number;
  readonly rejected: number;
  readonly deadLettered: number;
  readonly duplicates: number;
  readonly conflicts: number;
  readonly unapplicable: number;
  /** Records dropped because Postgres had already stored their offsets (a replay after a crash). */
  readonly alreadyApplied: number;
  readonly outboxEvents: number;
}

export const OUTBOX_CHANNEL = "ledgerline_outbox";

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;

const loadStoredOffsets = async (
  tx: DatabaseTransactionConnection,
  groupId: string,
  coordinates: readonly Coordinates[],
) => {
  if (coordinates.length === 0) return new Map<string, bigint>();
  // FOR UPDATE: a zombie instance working the same partition waits here, then sees our offsets.
  const rows = await tx.any(sql.unsafe`
    SELECT topic, partition, next_offset FROM consumer_offsets
    WHERE group_id = ${groupId}
      AND (topic, partition) IN (
        SELECT * FROM jsonb_to_recordset(${sql.jsonb(coordinates.map((c) => ({ topic: c.topic, partition: c.partition })))})
          AS c(topic text, partition int))
    ORDER BY topic, partition
    FOR UPDATE`);
  const typed = rows as readonly { topic: string; partition: number; next_offset: bigint }[];
  return new Map(typed.map((row) => [key(row.topic, row.partition), row.next_offset]));
};

const insertTransactions = async (tx: DatabaseTransactionConnection, candidates: readonly Candidate[]) => {
  if (candidates.length === 0) return new Set<string>();
  const ids = await tx.anyFirst(sql.unsafe`
    INSERT INTO transactions (transaction_id, account_id, amount_minor, currency, base_currency, base_amount_minor,
      fx_rate, fx_rate_as_of, merchant_name, merchant_category, status, rejection_reasons, dead_letter_reason,
      risk_flags, occurred_at, accepted_at, posted_at, source, client_id, payload_hash, metadata)
    SELECT r.transaction_id, r.account_id, r.amount_minor, r.currency, r.base_currency, r.base_amount_minor,
      r.fx_rate, r.fx_rate_as_of, r.merchant_name, r.merchant_category, r.status, r.rejection_reasons,
      r.dead_letter_reason, coalesce(r.risk_flags, '{}'), r.occurred_at, r.accepted_at, r.posted_at, 'live',
      r.client_id, r.payload_hash, coalesce(r.metadata, '{}')
    FROM jsonb_to_recordset(${sql.jsonb(candidates.map((c) => c.row) as never)}) AS r(
      transaction_id uuid, account_id text, amount_minor bigint, currency text, base_currency text,
      base_amount_minor bigint, fx_rate numeric, fx_rate_as_of timestamptz, merchant_name text,
      merchant_category text, status text, rejection_reasons jsonb, dead_letter_reason text, risk_flags text[],
      occurred_at timestamptz, accepted_at timestamptz, posted_at timestamptz, client_id text, payload_hash text,
      metadata jsonb)
    ON CONFLICT (transaction_id) DO UPDATE SET
      account_id = EXCLUDED.account_id, amount_minor = EXCLUDED.amount_minor, currency = EXCLUDED.currency,
      base_currency = EXCLUDED.base_currency, base_amount_minor = EXCLUDED.base_amount_minor,
      fx_rate = EXCLUDED.fx_rate, fx_rate_as_of = EXCLUDED.fx_rate_as_of, merchant_name = EXCLUDED.merchant_name,
      merchant_category = EXCLUDED.merchant_category, status = EXCLUDED.status,
      rejection_reasons = EXCLUDED.rejection_reasons, risk_flags = EXCLUDED.risk_flags,
      occurred_at = EXCLUDED.occurred_at, accepted_at = EXCLUDED.accepted_at, posted_at = EXCLUDED.posted_at,
      client_id = EXCLUDED.client_id, payload_hash = EXCLUDED.payload_hash, metadata = EXCLUDED.metadata,
      recorded_at = now()
      -- Only a replayed dead letter is upgraded; anything already recorded stays as it is.
      WHERE transactions.status = 'dead_lettered' AND EXCLUDED.status <> 'dead_lettered'
    RETURNING transaction_id`);
  return new Set(ids as string[]);
};

const existingHashes = async (tx: DatabaseTransactionConnection, ids: readonly string[]) => {
  if (ids.length === 0) return new Map<string, string | null>();
  const rows = await tx.any(sql.unsafe`
    SELECT transaction_id, payload_hash FROM transactions WHERE transaction_id = ANY(${sql.array(ids, "uuid")})`);
  const typed = rows as readonly { transaction_id: string; payload_hash: string | null }[];
  return new Map(typed.map((row) => [row.transaction_id, row.payload_hash]));
};

const writeApplied = async (
  tx: DatabaseTransactionConnection,
  applied: readonly Candidate[],
  traceparentOf: (candidate: Candidate) => string | undefined,
) => {
  const postings = applied.flatMap((c) => c.postings);
  const outbox = applied.flatMap((c) =>
    c.outbox ? [{ ...c.outbox, traceparent: traceparentOf(c) ?? null }] : [],
  );
  if (postings.length > 0) {
    await tx.query(sql.unsafe`
      INSERT INTO postings (transaction_id, ledger_account, currency, amount_minor)
      SELECT p.transaction_id, p.ledger_account, p.currency, p.amount_minor
      FROM jsonb_to_recordset(${sql.jsonb(postings.map((p) => ({ ...p, amount_minor: p.amount_minor.toString() })))})
        AS p(transaction_id uuid, ledger_account text, currency text, amount_minor bigint)`);
    const deltas = aggregateBalanceDeltas(postings);
    await tx.query(sql.unsafe`
      INSERT INTO account_balances (ledger_account, currency, balance_minor)
      SELECT d.ledger_account, d.currency, d.delta_minor
      FROM jsonb_to_recordset(${sql.jsonb(deltas.map((d) => ({ ...d, delta_minor: d.delta_minor.toString() })))})
        AS d(ledger_account text, currency text, delta_minor bigint)
      ORDER BY d.ledger_account, d.currency
      ON CONFLICT (ledger_account, currency) DO UPDATE
        SET balance_minor = account_balances.balance_minor + EXCLUDED.balance_minor, updated_at = now()`);
  }
  if (outbox.length > 0) {
    // ORDER BY n keeps the batch order in the sequence column (per-account order for the relay).
    await tx.query(sql.unsafe`
      INSERT INTO outbox (event_id, aggregate_id, event_type, payload, traceparent)
      SELECT o.event_id, o.aggregate_id, o.event_type, o.payload, o.traceparent
      FROM jsonb_to_recordset(${sql.jsonb(outbox.map((o, n) => ({ ...o, n })) as never)})
        AS o(event_id uuid, aggregate_id text, event_type text, payload jsonb, traceparent text, n int)
      ORDER BY o.n`);
    await tx.query(sql.unsafe`SELECT pg_notify(${OUTBOX_CHANNEL}, current_schema())`);
  }
  return { postings: postings.length, outbox: outbox.length };
};

const recordConflicts = async (
  tx: DatabaseTransactionConnection,
  conflicts: readonly { input: SinkInput; existingHash: string | null }[],
) => {
  if (conflicts.length === 0) return;
  await tx.query(sql.unsafe`
    INSERT INTO payload_conflicts (transaction_id, existing_hash, new_hash, original_topic, original_partition, original_offset)
    SELECT * FROM jsonb_to_recordset(${sql.jsonb(
      conflicts.map(({ input, existingHash }) => ({
        transaction_id: transactionIdOf(input),
        existing_hash: existingHash,
        new_hash: payloadHashOf(input),
        original_topic: input.coordinates.topic,
        original_partition: input.coordinates.partition,
        original_offset: input.coordinates.offset.toString(),
      })),
    )}) AS c(transaction_id uuid, existing_hash text, new_hash text, original_topic text, original_partition int, original_offset bigint)`);
};

const storeOffsets = async (
  tx: DatabaseTransactionConnection,
  groupId: string,
  next: readonly Coordinates[],
) => {
  if (next.length === 0) return;
  await tx.query(sql.unsafe`
    INSERT INTO consumer_offsets (group_id, topic, partition, next_offset)
    SELECT ${groupId}, o.topic, o.partition, o.next_offset
    FROM jsonb_to_recordset(${sql.jsonb(next.map((c) => ({ topic: c.topic, partition: c.partition, next_offset: c.offset.toString() })))})
      AS o(topic text, partition int, next_offset bigint)
    ORDER BY o.topic, o.partition
    ON CONFLICT (group_id, topic, partition) DO UPDATE
      SET next_offset = GREATEST(consumer_offsets.next_offset, EXCLUDED.next_offset), updated_at = now()`);
};

/**
 * Writes one batch inside `tx`. `beforeCommit` receives the records that must be dead-lettered and
 * is awaited before the transaction commits: if publishing them fails, nothing is committed.
 */
export const writeBatch = async <R>(
  tx: DatabaseTransactionConnection,
  batch: WriterBatch<R>,
  beforeCommit: (unapplicable: readonly Unapplicable<R>[]) => Promise<void>,
): Promise<WriteResult> => {
  const stored = await loadStoredOffsets(tx, batch.groupId, batch.nextOffsets);
  const isNew = (c: Coordinates) => c.offset >= (stored.get(key(c.topic, c.partition)) ?? -1n);
  const inputs = batch.inputs.filter(({ input }) => isNew(input.coordinates));
  const unapplicable = batch.unapplicable.filter((u) => isNew(u.coordinates));
  const alreadyApplied =
    batch.inputs.length - inputs.length + batch.unapplicable.length - unapplicable.length;

  const recordOf = new Map(inputs.map(({ input, record }) => [input, record]));
  const plan: BatchPlan = planBatch(
    inputs.map(({ input }) => input),
    { now: batch.now, newEventId: batch.newEventId },
  );
  const inserted = await insertTransactions(tx, plan.candidates);
  const applied = plan.candidates.filter((c) => inserted.has(c.row.transaction_id));
  const notInserted = plan.candidates.filter(
    (c) => !inserted.has(c.row.transaction_id) && c.row.payload_hash !== null,
  );
  const hashes = await existingHashes(
    tx,
    notInserted.map((c) => c.row.transaction_id),
  );
  const conflicts = [
    ...plan.conflicts,
    ...notInserted
      .filter((c) => {
        const existing = hashes.get(c.row.transaction_id);
        return existing !== undefined && existing !== null && existing !== c.row.payload_hash;
      })
      .map((c) => ({ input: c.input, existingHash: hashes.get(c.row.transaction_id) ?? null })),
  ];
  const written = await writeApplied(tx, applied, (candidate) => {
    const record = recordOf.get(candidate.input);
    return record === undefined ? undefined : batch.traceparentOf?.(record);
  });
  await recordConflicts(tx, conflicts);

  const deadLetters: Unapplicable<R>[] = [
    ...unapplicable,
    ...conflicts.map(({ input, existingHash }) => ({
      record: recordOf.get(input) as R,
      coordinates: input.coordinates,
      transactionId: transactionIdOf(input),
      code: "PAYLOAD_CONFLICT",
      errorClass: "PayloadConflict",
      message: `transaction ${transactionIdOf(input)} was already recorded with payload hash ${existingHash}; this record has ${payloadHashOf(input)}`,
      replayable: false,
    })),
  ];
  if (deadLetters.length > 0) await beforeCommit(deadLetters);
  await storeOffsets(tx, batch.groupId, batch.nextOffsets);

  const count = (status: string) => applied.filter((c) => c.row.status === status).length;
  return {
    posted: count("posted"),
    rejected: count("rejected"),
    deadLettered: count("dead_lettered"),
    duplicates: plan.duplicates + notInserted.length - (conflicts.length - plan.conflicts.length),
    conflicts: conflicts.length,
    unapplicable: unapplicable.length,
    alreadyApplied,
    outboxEvents: written.outbox,
  };
};
