// Every statement the ledger sink runs, in one place: read positions and existing rows, then write a
// batch's plan (rows, postings, balances, outbox events, conflicts, positions) in the caller's
// transaction. Nothing here decides anything: the plan is made by the sink's pure planBatch.
import type { CommonQueryMethods, DatabaseTransactionConnection } from "slonik";
import { sql } from "slonik";
import { LedgerDbError, violatesCheck, violatesUnique } from "./LedgerDbError.ts";
import type {
  ExistingRow,
  LedgerEntry,
  LedgerWritePlan,
  LimitedBalance,
  NumberedPosting,
  OriginalRow,
  OutboxEvent,
  PostingInsert,
  StoredPosition,
} from "./ledgerRows.ts";

export const OUTBOX_CHANNEL = "ledgerline_outbox";

const positionKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;

type PositionRow = { topic: string; partition: number; next_offset: bigint; topic_id: string | null };
const toPosition = (row: PositionRow): StoredPosition => ({
  topic: row.topic,
  partition: row.partition,
  nextOffset: row.next_offset,
  topicId: row.topic_id,
});

/** Every stored position of a group (resume planning; no lock). */
export const readPositions = async (db: CommonQueryMethods, groupId: string): Promise<StoredPosition[]> =>
  (
    (await db.any(sql.unsafe`
    SELECT topic, partition, next_offset, topic_id::text AS topic_id FROM consumer_offsets
    WHERE group_id = ${groupId} ORDER BY topic, partition`)) as readonly PositionRow[]
  ).map(toPosition);

/**
 * The stored positions of the batch's partitions, locked (FOR UPDATE, in a fixed order): a zombie instance
 * writing the same partition waits here, then sees our positions and finds its records already applied.
 */
export const lockPositions = async (
  tx: DatabaseTransactionConnection,
  groupId: string,
  partitions: readonly { readonly topic: string; readonly partition: number }[],
): Promise<ReadonlyMap<string, StoredPosition>> => {
  if (partitions.length === 0) return new Map();
  const rows = (await tx.any(sql.unsafe`
    SELECT topic, partition, next_offset, topic_id::text AS topic_id FROM consumer_offsets
    WHERE group_id = ${groupId}
      AND (topic, partition) IN (
        SELECT * FROM jsonb_to_recordset(${sql.jsonb(partitions.map((p) => ({ topic: p.topic, partition: p.partition })))})
          AS c(topic text, partition int))
    ORDER BY topic, partition
    FOR UPDATE`)) as readonly PositionRow[];
  return new Map(rows.map((row) => [positionKey(row.topic, row.partition), toPosition(row)]));
};

export const storedPositionOf = (
  positions: ReadonlyMap<string, StoredPosition>,
  topic: string,
  partition: number,
): StoredPosition | undefined => positions.get(positionKey(topic, partition));

/** The rows already in the ledger for these ids. */
export const existingRows = async (
  tx: CommonQueryMethods,
  ids: readonly string[],
): Promise<ReadonlyMap<string, ExistingRow>> => {
  if (ids.length === 0) return new Map();
  const rows = (await tx.any(sql.unsafe`
    SELECT transaction_id::text AS transaction_id, payload_hash, status FROM transactions
    WHERE transaction_id = ANY(${sql.array(ids, "uuid")})`)) as readonly ExistingRow[];
  return new Map(rows.map((row) => [row.transaction_id, row]));
};

/**
 * The transactions the batch's refunds name (any of `ids`), locked FOR UPDATE in a fixed order: a refund
 * of the same original written by another sink, on any partition, waits here until this batch commits,
 * then reads the refunded_minor it left. Locked only when a batch holds refunds.
 */
export const lockOriginals = async (
  tx: DatabaseTransactionConnection,
  ids: readonly string[],
): Promise<ReadonlyMap<string, OriginalRow>> => {
  if (ids.length === 0) return new Map();
  const rows = (await tx.any(sql.unsafe`
    SELECT transaction_id::text AS transaction_id, client_id, account_id, type, status, currency, amount_minor,
      refunded_minor, merchant_name, counterparty_account_id
    FROM transactions
    WHERE transaction_id = ANY(${sql.array([...new Set(ids)], "uuid")})
    ORDER BY transaction_id
    FOR UPDATE`)) as readonly OriginalRow[];
  return new Map(
    rows.map((row) => [
      row.transaction_id,
      {
        ...row,
        amount_minor: row.amount_minor === null ? null : BigInt(row.amount_minor),
        refunded_minor: BigInt(row.refunded_minor),
      },
    ]),
  );
};

/** The entries' rows as a record set: one jsonb parameter (bigints as decimal text, times ISO). */
const rowSet = (entries: readonly LedgerEntry[]) => sql.fragment`
    jsonb_to_recordset(${sql.jsonb(entries.map((e) => e.row) as never)}) AS r(
      transaction_id uuid, account_id text, amount_minor bigint, currency text, base_currency text,
      base_amount_minor bigint, fx_rate numeric, fx_rate_as_of timestamptz, merchant_name text,
      merchant_category text, status text, rejection_reasons jsonb, dead_letter_reason text, risk_flags text[],
      occurred_at timestamptz, accepted_at timestamptz, posted_at timestamptz, client_id text, payload_hash text,
      metadata jsonb, type text, counterparty_account_id text, original_transaction_id uuid)`;

/**
 * Writes the rows; returns the ids really written. A new row is a plain insert: the plan read the ledger
 * in this transaction and found none of these ids, and a plain insert costs Postgres about a third less
 * than a speculative one (ON CONFLICT). Another writer inserting one of the ids first (a second partition
 * carrying it) makes the insert fail as a serialization failure: the batch is retried, and its new plan
 * finds that row. An upgrade updates the dead_lettered row; one another writer upgraded first is not
 * written here.
 */
const insertRows = async (tx: DatabaseTransactionConnection, entries: readonly LedgerEntry[]) => {
  const fresh = entries.filter((entry) => !entry.upgrade);
  const upgrades = entries.filter((entry) => entry.upgrade);
  const written = new Set(fresh.map((entry) => entry.row.transaction_id));
  if (fresh.length > 0) {
    await tx
      .query(sql.unsafe`
        INSERT INTO transactions (transaction_id, account_id, amount_minor, currency, base_currency,
          base_amount_minor, fx_rate, fx_rate_as_of, merchant_name, merchant_category, status, rejection_reasons,
          dead_letter_reason, risk_flags, occurred_at, accepted_at, posted_at, source, client_id, payload_hash,
          metadata, type, counterparty_account_id, original_transaction_id)
        SELECT r.transaction_id, r.account_id, r.amount_minor, r.currency, r.base_currency, r.base_amount_minor,
          r.fx_rate, r.fx_rate_as_of, r.merchant_name, r.merchant_category, r.status, r.rejection_reasons,
          r.dead_letter_reason, coalesce(r.risk_flags, '{}'), r.occurred_at, r.accepted_at, r.posted_at, 'live',
          r.client_id, r.payload_hash, coalesce(r.metadata, '{}'), r.type, r.counterparty_account_id,
          r.original_transaction_id
        FROM ${rowSet(fresh)}`)
      .catch((error: unknown) => {
        if (!violatesUnique(error, "transactions_pkey")) throw error;
        throw new LedgerDbError({
          reason: "SERIALIZATION_FAILURE",
          message: "write batch: another writer recorded one of the batch's transactions first",
          sqlState: "23505",
          cause: error,
        });
      });
  }
  if (upgrades.length > 0) {
    const upgraded = await tx.anyFirst(sql.unsafe`
      UPDATE transactions AS t SET
        account_id = r.account_id, amount_minor = r.amount_minor, currency = r.currency,
        base_currency = r.base_currency, base_amount_minor = r.base_amount_minor, fx_rate = r.fx_rate,
        fx_rate_as_of = r.fx_rate_as_of, merchant_name = r.merchant_name, merchant_category = r.merchant_category,
        status = r.status, rejection_reasons = r.rejection_reasons, dead_letter_reason = r.dead_letter_reason,
        risk_flags = coalesce(r.risk_flags, '{}'), occurred_at = r.occurred_at, accepted_at = r.accepted_at,
        posted_at = r.posted_at, client_id = r.client_id, payload_hash = r.payload_hash,
        metadata = coalesce(r.metadata, '{}'), type = r.type, counterparty_account_id = r.counterparty_account_id,
        original_transaction_id = r.original_transaction_id, recorded_at = now()
      FROM ${rowSet(upgrades)}
      -- Only a dead_lettered row is upgraded; anything already recorded stays as it is.
      WHERE t.transaction_id = r.transaction_id AND t.status = 'dead_lettered'
      RETURNING t.transaction_id::text`);
    for (const id of upgraded as string[]) written.add(id);
  }
  return written;
};

/** A balance row's key: ledger account and currency. */
export const balanceKey = (ledgerAccount: string, currency: string) => `${ledgerAccount}\u0000${currency}`;

/**
 * The limited accounts among those a batch may move, their balance rows locked FOR UPDATE in a fixed order,
 * so the plan decides each debit against the balance as it stands and no other batch moves it meanwhile.
 * Only limited rows are locked here (a partial index finds them); every other balance row is locked by the
 * balance upsert at the end of the batch, for as short a time as before limits existed. A PUT of a limit
 * upserts the same row, so it waits for this batch, and this batch for it.
 */
export const lockLimitedBalances = async (
  tx: DatabaseTransactionConnection,
  accounts: readonly { readonly ledger_account: string; readonly currency: string }[],
): Promise<ReadonlyMap<string, LimitedBalance>> => {
  if (accounts.length === 0) return new Map();
  const rows = (await tx.any(sql.unsafe`
    SELECT b.ledger_account, trim(b.currency) AS currency, b.balance_minor, b.overdraft_limit_minor
    FROM account_balances AS b
    JOIN jsonb_to_recordset(${sql.jsonb(accounts.map((a) => ({ ledger_account: a.ledger_account, currency: a.currency })))})
      AS k(ledger_account text, currency text)
      ON b.ledger_account = k.ledger_account AND b.currency = k.currency::char(3)
    WHERE b.overdraft_limit_minor IS NOT NULL
    ORDER BY b.ledger_account, b.currency
    FOR UPDATE OF b`)) as readonly {
    ledger_account: string;
    currency: string;
    balance_minor: string | bigint;
    overdraft_limit_minor: string | bigint;
  }[];
  return new Map(
    rows.map((row) => [
      balanceKey(row.ledger_account, row.currency),
      {
        ledger_account: row.ledger_account,
        currency: row.currency,
        balance_minor: BigInt(row.balance_minor),
        overdraft_limit_minor: BigInt(row.overdraft_limit_minor),
      },
    ]),
  );
};

/** Sums postings per account and currency, with their count, in lock order (a fixed order: no deadlock). */
export const balanceDeltas = (postings: readonly PostingInsert[]) => {
  const totals = new Map<
    string,
    { ledger_account: string; currency: string; delta_minor: bigint; count: bigint }
  >();
  for (const posting of postings) {
    const key = balanceKey(posting.ledger_account, posting.currency);
    const current = totals.get(key);
    totals.set(key, {
      ledger_account: posting.ledger_account,
      currency: posting.currency,
      delta_minor: (current?.delta_minor ?? 0n) + posting.amount_minor,
      count: (current?.count ?? 0n) + 1n,
    });
  }
  return [...totals.values()].sort((a, b) =>
    a.ledger_account === b.ledger_account
      ? a.currency.localeCompare(b.currency)
      : a.ledger_account < b.ledger_account
        ? -1
        : 1,
  );
};

/** An account's balance row after the batch's upsert. */
export interface BalanceAfter {
  readonly balance_minor: bigint;
  readonly last_seq: bigint;
  /** The time the batch's postings of it carry (timestamptz text, exact to the microsecond). */
  readonly posted_at?: string;
}

/**
 * Numbers the batch's postings in their accounts, in batch order: each account's first posting of the batch
 * follows the row as it stood before (the row after the upsert, less the batch's sum and count).
 */
export const numberPostings = (
  postings: readonly PostingInsert[],
  after: ReadonlyMap<string, BalanceAfter>,
): NumberedPosting[] => {
  const deltas = new Map(
    balanceDeltas(postings).map((d) => [balanceKey(d.ledger_account, d.currency), d] as const),
  );
  const running = new Map<string, { balance: bigint; seq: bigint }>();
  return postings.map((posting) => {
    const key = balanceKey(posting.ledger_account, posting.currency);
    let account = running.get(key);
    if (!account) {
      const row = after.get(key);
      const delta = deltas.get(key);
      if (!row || !delta) throw new Error(`numberPostings: no balance row for ${posting.ledger_account}`);
      account = { balance: row.balance_minor - delta.delta_minor, seq: row.last_seq - delta.count };
      running.set(key, account);
    }
    account.balance += posting.amount_minor;
    account.seq += 1n;
    return { ...posting, account_seq: account.seq, balance_after_minor: account.balance };
  });
};

const retryBecause = (message: string, cause?: unknown) =>
  new LedgerDbError({ reason: "SERIALIZATION_FAILURE", message: `write batch: ${message}`, cause });

/**
 * Moves the balances by the batch's postings (one upsert, each row once, in key order: the row locks are
 * held from here to the commit), then writes the postings numbered from what the upsert returned. An
 * account that turns out limited without the plan having decided against its locked balance got its limit
 * while the batch was deciding: the batch retries, and its new plan sees the limit.
 *
 * The postings' time: the batch's (`postedAt`, the time its transactions are posted at), or the account's
 * last posting time when that is later (a batch that took its time before another one's commit and then
 * waited for the row), kept in the balance row's updated_at. So an account's postings never go back in
 * time, and a limited account's (whose row the batch locked before taking its time) carry exactly the
 * batch's time, as its refusals do.
 */
const postBalances = async (
  tx: DatabaseTransactionConnection,
  postings: readonly PostingInsert[],
  limited: ReadonlySet<string>,
  postedAt: Date,
) => {
  if (postings.length === 0) return;
  const rows = (await tx
    .any(sql.unsafe`
      INSERT INTO account_balances (ledger_account, currency, balance_minor, last_seq, updated_at)
      SELECT d.ledger_account, d.currency, d.delta_minor, d.count, ${postedAt.toISOString()}::timestamptz
      FROM jsonb_to_recordset(${sql.jsonb(
        balanceDeltas(postings).map((d) => ({
          ...d,
          delta_minor: d.delta_minor.toString(),
          count: d.count.toString(),
        })),
      )}) AS d(ledger_account text, currency text, delta_minor bigint, count bigint)
      ORDER BY d.ledger_account, d.currency
      ON CONFLICT (ledger_account, currency) DO UPDATE
        SET balance_minor = account_balances.balance_minor + EXCLUDED.balance_minor,
          last_seq = account_balances.last_seq + EXCLUDED.last_seq,
          updated_at = greatest(account_balances.updated_at, EXCLUDED.updated_at)
      RETURNING ledger_account, trim(currency) AS currency, balance_minor, last_seq, updated_at::text AS posted_at,
        overdraft_limit_minor IS NOT NULL AS has_limit`)
    .catch((error: unknown) => {
      // The limit CHECK: only a limit set while the batch was deciding can make the plan break it.
      if (violatesCheck(error, "account_balances_within_limit"))
        throw retryBecause("an account got an overdraft limit while the batch was deciding", error);
      throw error;
    })) as readonly {
    ledger_account: string;
    currency: string;
    balance_minor: string | bigint;
    last_seq: string | bigint;
    posted_at: string;
    has_limit: boolean;
  }[];
  const after = new Map<string, BalanceAfter>();
  for (const row of rows) {
    const key = balanceKey(row.ledger_account, row.currency);
    if (row.has_limit && !limited.has(key))
      throw retryBecause(`${row.ledger_account} got an overdraft limit while the batch was deciding`);
    after.set(key, {
      balance_minor: BigInt(row.balance_minor),
      last_seq: BigInt(row.last_seq),
      posted_at: row.posted_at,
    });
  }
  await tx.query(sql.unsafe`
    INSERT INTO postings (transaction_id, ledger_account, currency, amount_minor, account_seq, balance_after_minor,
      created_at)
    SELECT p.transaction_id, p.ledger_account, p.currency, p.amount_minor, p.account_seq, p.balance_after_minor,
      p.created_at
    FROM jsonb_to_recordset(${sql.jsonb(
      numberPostings(postings, after).map((p) => ({
        ...p,
        amount_minor: p.amount_minor.toString(),
        account_seq: p.account_seq.toString(),
        balance_after_minor: p.balance_after_minor.toString(),
        created_at: after.get(balanceKey(p.ledger_account, p.currency))?.posted_at,
      })),
    )})
      AS p(transaction_id uuid, ledger_account text, currency text, amount_minor bigint, account_seq bigint,
        balance_after_minor bigint, created_at timestamptz)`);
};

/**
 * Adds the written refunds to their originals' refunded_minor, summed per original (an UPDATE … FROM
 * updates a row once however many source rows join it). The plan checked each against the original's row,
 * locked by lockOriginals; the table's CHECK refuses any sum past the original's amount.
 */
const addRefunds = async (tx: DatabaseTransactionConnection, entries: readonly LedgerEntry[]) => {
  const totals = new Map<string, bigint>();
  for (const { refund } of entries) {
    if (refund)
      totals.set(
        refund.original_transaction_id,
        (totals.get(refund.original_transaction_id) ?? 0n) + refund.amount_minor,
      );
  }
  if (totals.size === 0) return;
  await tx.query(sql.unsafe`
    UPDATE transactions AS t SET refunded_minor = t.refunded_minor + d.amount_minor
    FROM jsonb_to_recordset(${sql.jsonb(
      [...totals].map(([id, amount]) => ({ transaction_id: id, amount_minor: amount.toString() })),
    )}) AS d(transaction_id uuid, amount_minor bigint)
    WHERE t.transaction_id = d.transaction_id`);
};

const insertEvents = async (tx: DatabaseTransactionConnection, events: readonly OutboxEvent[]) => {
  if (events.length === 0) return;
  // ORDER BY n keeps the batch order in the sequence column (per-account order for the relay).
  await tx.query(sql.unsafe`
    INSERT INTO outbox (event_id, aggregate_id, topic_id, event_type, payload, traceparent)
    SELECT o.event_id, o.aggregate_id, o.topic_id, o.event_type, o.payload, o.traceparent
    FROM jsonb_to_recordset(${sql.jsonb(events.map((o, n) => ({ ...o, n })) as never)})
      AS o(event_id uuid, aggregate_id text, topic_id text, event_type text, payload jsonb, traceparent text, n int)
    ORDER BY o.n`);
  await tx.query(sql.unsafe`SELECT pg_notify(${OUTBOX_CHANNEL}, current_schema())`);
};

const insertConflicts = async (tx: DatabaseTransactionConnection, plan: LedgerWritePlan) => {
  if (plan.conflicts.length === 0) return;
  await tx.query(sql.unsafe`
    INSERT INTO payload_conflicts (transaction_id, existing_hash, new_hash, original_topic, original_partition, original_offset)
    SELECT * FROM jsonb_to_recordset(${sql.jsonb(
      plan.conflicts.map((c) => ({
        transaction_id: c.transaction_id,
        existing_hash: c.existing_hash,
        new_hash: c.new_hash,
        original_topic: c.coordinates.topic,
        original_partition: c.coordinates.partition,
        original_offset: c.coordinates.offset.toString(),
      })),
    )}) AS c(transaction_id uuid, existing_hash text, new_hash text, original_topic text, original_partition int, original_offset bigint)`);
};

/** Moves the stored positions forward (never back) and records the topic id they belong to. */
export const storePositions = async (
  tx: CommonQueryMethods,
  groupId: string,
  positions: readonly StoredPosition[],
) => {
  if (positions.length === 0) return;
  await tx.query(sql.unsafe`
    INSERT INTO consumer_offsets (group_id, topic, partition, next_offset, topic_id)
    SELECT ${groupId}, o.topic, o.partition, o.next_offset, o.topic_id
    FROM jsonb_to_recordset(${sql.jsonb(
      positions.map((p) => ({
        topic: p.topic,
        partition: p.partition,
        next_offset: p.nextOffset.toString(),
        topic_id: p.topicId,
      })),
    )}) AS o(topic text, partition int, next_offset bigint, topic_id uuid)
    ORDER BY o.topic, o.partition
    ON CONFLICT (group_id, topic, partition) DO UPDATE
      SET next_offset = GREATEST(consumer_offsets.next_offset, EXCLUDED.next_offset),
        topic_id = coalesce(EXCLUDED.topic_id, consumer_offsets.topic_id), updated_at = now()`);
};

export interface AppliedPlan {
  /** Entries whose row was written. */
  readonly written: readonly LedgerEntry[];
  /** Entries a concurrent writer had already written (another partition carrying the same id). */
  readonly raced: readonly LedgerEntry[];
}

/** Writes a batch's plan in `tx`: the rows first, then only what the really new rows imply. */
export const applyPlan = async (
  tx: DatabaseTransactionConnection,
  groupId: string,
  plan: LedgerWritePlan,
): Promise<AppliedPlan> => {
  const inserted = await insertRows(tx, plan.entries);
  const written = plan.entries.filter((entry) => inserted.has(entry.row.transaction_id));
  const raced = plan.entries.filter((entry) => !inserted.has(entry.row.transaction_id));
  // The plan decided limited accounts' debits counting every one of its rows as written. A replayed dead
  // letter another writer upgraded first is not: retry the batch, whose plan then finds it.
  if (raced.some((entry) => entry.postings.length > 0)) {
    throw retryBecause("another writer recorded one of the batch's transactions first");
  }
  await addRefunds(tx, written);
  await postBalances(
    tx,
    written.flatMap((entry) => entry.postings),
    plan.limited,
    plan.postedAt,
  );
  await insertEvents(tx, [...written.flatMap((entry) => entry.events), ...plan.events]);
  await insertConflicts(tx, plan);
  await storePositions(tx, groupId, plan.positions);
  return { written, raced };
};

/** Partition → the epoch at which this instance claimed it (claimPartitions; look up with holdsPartition). */
export type ClaimedPartitions = ReadonlyMap<string, string>;

export const holdsPartition = (claimed: ClaimedPartitions, topic: string, partition: number): boolean =>
  claimed.has(positionKey(topic, partition));

const partitionsJson = (partitions: readonly { readonly topic: string; readonly partition: number }[]) =>
  sql.jsonb(partitions.map((p) => ({ topic: p.topic, partition: p.partition })));

/**
 * Claims the partitions Kafka just assigned to this instance: records it as their holder and raises each
 * one's epoch. Waits for a batch another instance is writing to them (verifyClaims holds their rows);
 * any batch of a previous holder that commits later is refused. Returns the epochs claimed.
 */
export const claimPartitions = async (
  db: CommonQueryMethods,
  groupId: string,
  instanceId: string,
  partitions: readonly { readonly topic: string; readonly partition: number }[],
): Promise<ClaimedPartitions> => {
  if (partitions.length === 0) return new Map();
  const rows = (await db.any(sql.unsafe`
    INSERT INTO sink_assignments (group_id, topic, partition, instance_id, epoch)
    SELECT ${groupId}, a.topic, a.partition, ${instanceId}, 1
    FROM jsonb_to_recordset(${partitionsJson(partitions)}) AS a(topic text, partition int)
    ORDER BY a.topic, a.partition
    ON CONFLICT (group_id, topic, partition) DO UPDATE
      SET instance_id = EXCLUDED.instance_id, assigned_at = now(), epoch = sink_assignments.epoch + 1
    RETURNING topic, partition, epoch::text AS epoch`)) as readonly {
    topic: string;
    partition: number;
    epoch: string;
  }[];
  return new Map(rows.map((row) => [positionKey(row.topic, row.partition), row.epoch]));
};

/**
 * In a batch's transaction: every partition it writes is still held at the epoch this instance claimed,
 * or the batch fails with TAKEN_OVER (another instance claimed one since: this one's assignment is stale).
 * The rows stay share-locked until the transaction ends, so a new claim waits for this write.
 */
export const verifyClaims = async (
  tx: DatabaseTransactionConnection,
  groupId: string,
  partitions: readonly { readonly topic: string; readonly partition: number }[],
  claimed: ClaimedPartitions,
) => {
  if (partitions.length === 0) return;
  const rows = (await tx.any(sql.unsafe`
    SELECT topic, partition, epoch::text AS epoch FROM sink_assignments
    WHERE group_id = ${groupId}
      AND (topic, partition) IN (
        SELECT * FROM jsonb_to_recordset(${partitionsJson(partitions)}) AS c(topic text, partition int))
    ORDER BY topic, partition
    FOR SHARE`)) as readonly { topic: string; partition: number; epoch: string }[];
  const live = new Map(rows.map((row) => [positionKey(row.topic, row.partition), row.epoch]));
  const lost = partitions.filter((p) => {
    const key = positionKey(p.topic, p.partition);
    return claimed.get(key) === undefined || live.get(key) !== claimed.get(key);
  });
  if (lost.length > 0) {
    throw new LedgerDbError({
      reason: "TAKEN_OVER",
      message: `${lost.map((p) => `${p.topic}[${p.partition}]`).join(", ")}: claimed by another instance since this one's assignment (or never claimed by it)`,
    });
  }
};
