// What the checker reads at the end, from the outside: the ledger in Postgres, and every topic of the
// pipeline in Kafka, read_committed (and validated/rejected read_uncommitted too, to see aborted output).
import type { DeadLetter, TransactionPosted, TransactionRequested } from "@ledgerline/contracts";
import { createAdmin, type KafkaConnection } from "@ledgerline/kafka";
import {
  checkBalances,
  checkPostings,
  createLedgerPool,
  type DatabasePool,
  kindViolations,
  readPositions,
  sql,
} from "@ledgerline/ledger-db";
import { RegistryCodec } from "@ledgerline/schema-registry";
import { names, type TopicId } from "@ledgerline/topology";
import {
  Consumer,
  FetchIsolationLevels,
  ListOffsetTimestamps,
  stringDeserializer,
} from "@platformatic/kafka";
import type { Observations, SentTransaction } from "./checker.ts";

export interface LedgerTiming {
  readonly id: string;
  readonly status: string;
  /** Epoch ms (the gateway's accepted_at, the sink's posted_at or recorded_at). */
  readonly acceptedAt: number | null;
  readonly postedAt: number | null;
}

export interface Collected {
  readonly observations: Observations;
  readonly timings: readonly LedgerTiming[];
  readonly ledgerCounts: Readonly<Record<string, number>>;
}

const DONE_WITHIN_MS = 120_000;
/** Offending rows kept per ledger check (all are counted by the checks). */
const FINDINGS_KEPT = 10_000;

type Isolation = "committed" | "uncommitted";

/** Every record of a topic, from the start to its current end; `decode` picks what the checker needs. */
const readTopic = async <T>(
  connection: KafkaConnection,
  topic: string,
  isolation: Isolation,
  decode: (value: Buffer) => Promise<T | undefined>,
): Promise<T[]> => {
  const consumer = new Consumer<string, Buffer, string, Buffer>({
    clientId: connection.clientId,
    bootstrapBrokers: [...connection.bootstrapBrokers],
    groupId: `chaos-checker-${topic}-${isolation}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    groupProtocol: "classic",
    autocommit: false,
    isolationLevel:
      isolation === "committed" ? FetchIsolationLevels.READ_COMMITTED : FetchIsolationLevels.READ_UNCOMMITTED,
    maxWaitTime: 200,
    retries: 10,
    retryDelay: 500,
    deserializers: { key: stringDeserializer, headerKey: stringDeserializer },
  });
  try {
    const ends =
      (
        await consumer.listOffsets({
          topics: [topic],
          timestamp: ListOffsetTimestamps.LATEST,
          isolationLevel:
            isolation === "committed"
              ? FetchIsolationLevels.READ_COMMITTED
              : FetchIsolationLevels.READ_UNCOMMITTED,
        })
      ).get(topic) ?? [];
    if (ends.every((end) => end === 0n)) return [];
    const stream = await consumer.consume({ topics: [topic], mode: "earliest", autocommit: false });
    const out: T[] = [];
    const pending: Promise<void>[] = [];
    const done = () => ends.every((end, p) => (stream.offsetsToFetch.get(`${topic}:${p}`) ?? 0n) >= end);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${topic} (${isolation}) not read to its end in ${DONE_WITHIN_MS} ms`)),
        DONE_WITHIN_MS,
      );
      const check = setInterval(() => {
        if (done()) {
          clearInterval(check);
          clearTimeout(timer);
          resolve();
        }
      }, 100);
      stream.on("data", (message) => {
        pending.push(
          decode(message.value).then((value) => {
            if (value !== undefined) out.push(value);
          }),
        );
      });
      stream.on("error", (error) => {
        clearInterval(check);
        clearTimeout(timer);
        reject(error);
      });
    });
    await Promise.all(pending);
    await stream.close();
    return out;
  } finally {
    await consumer.close(true).catch(() => undefined);
  }
};

const countBy = (ids: readonly string[]) => {
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
};

export interface CollectOptions {
  readonly connection: KafkaConnection;
  readonly registryUrl: string;
  readonly databaseUrl: string;
  readonly accepted: ReadonlyMap<string, readonly string[]>;
  /** What the clients sent, by transaction id. */
  readonly sent: ReadonlyMap<string, SentTransaction>;
}

export const collect = async (options: CollectOptions): Promise<Collected> => {
  const resolved = names("");
  const codec = new RegistryCodec({ url: options.registryUrl, names: resolved });
  const topic = (id: TopicId) => resolved.topic(id);
  const idOf = (id: TopicId) => async (value: Buffer) =>
    (await codec.decode<{ transaction_id: string }>(id, value)).transaction_id;

  const [requested, validated, rejected, dlq, posted, validatedRaw, rejectedRaw] = await Promise.all([
    readTopic(
      options.connection,
      topic("requested"),
      "committed",
      async (v) => (await codec.decode<TransactionRequested>("requested", v)).transaction_id,
    ),
    readTopic(options.connection, topic("validated"), "committed", idOf("validated")),
    readTopic(options.connection, topic("rejected"), "committed", idOf("rejected")),
    readTopic(options.connection, topic("dlq"), "committed", async (v) => {
      const letter = await codec.decode<DeadLetter>("dlq", v);
      // Only the processor's own dead letters are its outputs (the sink dead-letters conflicts too).
      return letter.stage === "processor" && letter.transaction_id ? letter.transaction_id : undefined;
    }),
    readTopic(options.connection, topic("posted"), "committed", async (v) => {
      const event = await codec.decode<TransactionPosted>("posted", v);
      return { transactionId: event.transaction_id, eventId: event.event_id };
    }),
    readTopic(options.connection, topic("validated"), "uncommitted", idOf("validated")),
    readTopic(options.connection, topic("rejected"), "uncommitted", idOf("rejected")),
  ]);
  const committedOutputs = new Set([...validated, ...rejected]);
  const abortedOnly = new Set([...validatedRaw, ...rejectedRaw].filter((id) => !committedOutputs.has(id)));
  const postedEvents = new Map<string, string[]>();
  for (const event of posted)
    postedEvents.set(event.transactionId, [...(postedEvents.get(event.transactionId) ?? []), event.eventId]);

  const pool: DatabasePool = await createLedgerPool(options.databaseUrl, { maximumPoolSize: 2 });
  try {
    const acceptedIds = [...new Set([...options.accepted.values()].flat())];
    const rows = (await pool.any(sql.unsafe`
      SELECT transaction_id::text AS id, status,
        (extract(epoch FROM accepted_at) * 1000)::float8 AS accepted_at,
        (extract(epoch FROM coalesce(posted_at, recorded_at)) * 1000)::float8 AS posted_at,
        ARRAY(SELECT r->>'code' FROM jsonb_array_elements(coalesce(rejection_reasons, '[]')) r) AS reasons,
        original_transaction_id::text AS original_id, refunded_minor::float8 AS refunded_minor
      FROM transactions WHERE transaction_id = ANY(${sql.array(acceptedIds, "uuid")})`)) as readonly {
      id: string;
      status: string;
      accepted_at: number | null;
      posted_at: number | null;
      reasons: readonly string[];
      original_id: string | null;
      refunded_minor: number;
    }[];
    // Every posted refund of the originals the clients refunded, those whose 202 they never got included.
    const originalIds = [
      ...new Set([...options.sent.values()].flatMap((s) => (s.refund ? [s.refund.originalId] : []))),
    ];
    const postedRefunds = (await pool.any(sql.unsafe`
      SELECT original_transaction_id::text AS original_id, transaction_id::text AS id,
        amount_minor::float8 AS amount_minor
      FROM transactions
      WHERE type = 'refund' AND status = 'posted'
        AND original_transaction_id = ANY(${sql.array(originalIds, "uuid")})`)) as readonly {
      original_id: string;
      id: string;
      amount_minor: number;
    }[];
    const refundsOf = new Map<string, { id: string; amountMinor: number }[]>();
    for (const r of postedRefunds)
      refundsOf.set(r.original_id, [
        ...(refundsOf.get(r.original_id) ?? []),
        { id: r.id, amountMinor: r.amount_minor },
      ]);
    const violations = await kindViolations(pool, 100);
    // The ledger's own checks (ledger-db ledgerChecks.ts), as `ledgerline reconcile` and the tests run them.
    const unbalanced = (await checkPostings(pool, FINDINGS_KEPT)).offenders.map((o) => o.id);
    const mismatches = (await checkBalances(pool, FINDINGS_KEPT)).offenders.map((o) => o.id);
    // A posted transaction's event is still in the outbox, or was published (its row deleted): distinct
    // event ids per transaction over both (a relay crash may publish one event id twice).
    const waiting = (await pool.any(sql.unsafe`
      SELECT payload->>'transaction_id' AS id, event_id::text AS event_id FROM outbox
      WHERE topic_id = 'posted'`)) as readonly {
      id: string;
      event_id: string;
    }[];
    const eventIds = new Map<string, Set<string>>();
    const see = (id: string, eventId: string) =>
      eventIds.set(id, (eventIds.get(id) ?? new Set()).add(eventId));
    for (const row of waiting) see(row.id, row.event_id);
    for (const [id, events] of postedEvents) for (const eventId of events) see(id, eventId);
    const statuses = (await pool.any(sql.unsafe`
      SELECT status, count(*)::int AS n FROM transactions GROUP BY status`)) as readonly {
      status: string;
      n: number;
    }[];
    const unpublished = (await pool.oneFirst(sql.unsafe`SELECT count(*)::int FROM outbox`)) as number;

    // Lag at the end: the processor's group in Kafka, the sink's positions in Postgres, the outbox.
    const lag = await endLag(options.connection, pool, resolved);
    return {
      observations: {
        accepted: options.accepted,
        sent: options.sent,
        ledger: new Map(
          rows.map((row) => [
            row.id,
            {
              status: row.status,
              reasons: row.reasons,
              originalId: row.original_id,
              refundedMinor: row.refunded_minor,
            },
          ]),
        ),
        unbalancedTransactions: unbalanced,
        balanceMismatches: mismatches,
        outboxEvents: new Map([...eventIds].map(([id, events]) => [id, events.size])),
        requested: countBy(requested),
        processed: countBy([...validated, ...rejected, ...dlq]),
        abortedOnly,
        postedEvents,
        postedRefunds: refundsOf,
        kindViolations: violations,
        lag: [...lag, { group: "outbox", topic: "outbox", partition: 0, lag: unpublished }],
      },
      timings: rows.map((row) => ({
        id: row.id,
        status: row.status,
        acceptedAt: row.accepted_at,
        postedAt: row.posted_at,
      })),
      ledgerCounts: Object.fromEntries(statuses.map((s) => [s.status, s.n])),
    };
  } finally {
    await pool.end();
  }
};

/** Records each consumer has left: the processor group's committed offsets, the sink's stored positions. */
export const endLag = async (connection: KafkaConnection, pool: DatabasePool, resolved = names("")) => {
  const admin = createAdmin(connection);
  try {
    const topics = (["requested", "validated", "rejected", "dlq"] as const).map((id) => resolved.topic(id));
    // A copy: the client sorts the array it is given, in place.
    const metadata = await admin.metadata({ topics: [...topics] });
    const partitionsOf = (name: string) =>
      Array.from({ length: metadata.topics.get(name)?.partitionsCount ?? 0 }, (_, i) => i);
    const ends = await admin.listOffsets({
      topics: topics.map((name) => ({
        name,
        partitions: partitionsOf(name).map((partitionIndex) => ({
          partitionIndex,
          timestamp: ListOffsetTimestamps.LATEST,
        })),
      })),
      isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    });
    const endOf = (name: string, partition: number) =>
      ends.find((t) => t.name === name)?.partitions.find((p) => p.partitionIndex === partition)?.offset ?? 0n;
    const [processorGroup] = await admin.listConsumerGroupOffsets({
      groups: [
        {
          groupId: resolved.group("processor"),
          topics: [
            {
              name: resolved.topic("requested"),
              partitionIndexes: partitionsOf(resolved.topic("requested")),
            },
          ],
        },
      ],
      requireStable: true,
    });
    const stored = new Map(
      (await readPositions(pool, resolved.group("ledgerSink"))).map((p) => [
        `${p.topic}:${p.partition}`,
        p.nextOffset,
      ]),
    );
    const lag: { group: string; topic: string; partition: number; lag: number }[] = [];
    for (const p of partitionsOf(resolved.topic("requested"))) {
      const committed =
        processorGroup?.topics[0]?.partitions.find((c) => c.partitionIndex === p)?.committedOffset ?? -1n;
      const end = endOf(resolved.topic("requested"), p);
      lag.push({
        group: "processor",
        topic: "requested",
        partition: p,
        lag: Number(end - (committed < 0n ? 0n : committed)),
      });
    }
    for (const name of topics.slice(1)) {
      for (const p of partitionsOf(name)) {
        const end = endOf(name, p);
        const position = stored.get(`${name}:${p}`) ?? 0n;
        lag.push({
          group: "ledger-sink",
          topic: resolved.topicIdOf(name) ?? name,
          partition: p,
          lag: Number(end > position ? end - position : 0n),
        });
      }
    }
    return lag;
  } finally {
    await admin.close().catch(() => undefined);
  }
};
