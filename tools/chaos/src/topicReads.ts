// The pipeline's topics as the checker reads them at the end: each from its start to its current end,
// read_committed (and validated/rejected read_uncommitted too, to see aborted output).
import type { Names, TopicId } from "@ledgerline/catalogue";
import type {
  DeadLetter,
  TransactionPosted,
  TransactionRejected,
  TransactionRequested,
} from "@ledgerline/contracts";
import type { KafkaConnection } from "@ledgerline/kafka";
import { RegistryCodec } from "@ledgerline/schema-registry";
import {
  Consumer,
  FetchIsolationLevels,
  ListOffsetTimestamps,
  stringDeserializer,
} from "@platformatic/kafka";
import type { LedgerRejection } from "./observations.ts";
import { LEDGER_REFUSALS } from "./refusalChecks.ts";

const DONE_WITHIN_MS = 120_000;

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

/** A transactions.rejected record: whose, why, when, and the whole event (to tell a re-publication). */
interface RejectedRecord extends LedgerRejection {
  readonly transactionId: string;
  readonly byLedger: boolean;
  readonly fingerprint: string;
}

const jsonOf = (value: unknown) =>
  JSON.stringify(value, (_, v) => (typeof v === "bigint" ? v.toString() : v));

/** What the topics hold, per transaction id, for the checker. */
export const readTopics = async (connection: KafkaConnection, registryUrl: string, resolved: Names) => {
  const codec = new RegistryCodec({ url: registryUrl, names: resolved });
  const topic = (id: TopicId) => resolved.topic(id);
  const idOf = (id: TopicId) => async (value: Buffer) =>
    (await codec.decode<{ transaction_id: string }>(id, value)).transaction_id;
  // transactions.rejected holds the processor's rejections and, since limits, the ledger's own refusals
  // (published by the outbox relay): told apart by their reasons, which only the ledger gives.
  const rejectedOf = async (value: Buffer): Promise<RejectedRecord> => {
    const event = await codec.decode<TransactionRejected>("rejected", value);
    const reasons = event.reasons.map((r) => r.code);
    return {
      transactionId: event.transaction_id,
      reasons,
      rejectedAtMs: event.rejected_at.getTime(),
      byLedger: reasons.some((r) => LEDGER_REFUSALS.has(r)),
      fingerprint: jsonOf(event),
    };
  };

  const [requested, validated, rejected, dlq, posted, validatedRaw, rejectedRaw] = await Promise.all([
    readTopic(
      connection,
      topic("requested"),
      "committed",
      async (v) => (await codec.decode<TransactionRequested>("requested", v)).transaction_id,
    ),
    readTopic(connection, topic("validated"), "committed", idOf("validated")),
    readTopic(connection, topic("rejected"), "committed", rejectedOf),
    readTopic(connection, topic("dlq"), "committed", async (v) => {
      const letter = await codec.decode<DeadLetter>("dlq", v);
      // Only the processor's own dead letters are its outputs (the sink dead-letters conflicts too).
      return letter.stage === "processor" && letter.transaction_id ? letter.transaction_id : undefined;
    }),
    readTopic(connection, topic("posted"), "committed", async (v) => {
      const event = await codec.decode<TransactionPosted>("posted", v);
      return { transactionId: event.transaction_id, eventId: event.event_id };
    }),
    readTopic(connection, topic("validated"), "uncommitted", idOf("validated")),
    readTopic(connection, topic("rejected"), "uncommitted", rejectedOf),
  ]);
  const processorRejected = rejected.filter((r) => !r.byLedger).map((r) => r.transactionId);
  const committedOutputs = new Set([...validated, ...processorRejected]);
  const abortedOnly = new Set(
    [...validatedRaw, ...rejectedRaw.filter((r) => !r.byLedger).map((r) => r.transactionId)].filter(
      (id) => !committedOutputs.has(id),
    ),
  );
  // The ledger's refusals per transaction: distinct events (the same event published twice is one).
  const refusalEvents = new Map<string, { records: number; events: Map<string, LedgerRejection> }>();
  for (const r of rejected.filter((r) => r.byLedger)) {
    const seen = refusalEvents.get(r.transactionId) ?? { records: 0, events: new Map() };
    seen.records += 1;
    seen.events.set(r.fingerprint, { reasons: r.reasons, rejectedAtMs: r.rejectedAtMs });
    refusalEvents.set(r.transactionId, seen);
  }
  const postedEvents = new Map<string, string[]>();
  for (const event of posted)
    postedEvents.set(event.transactionId, [...(postedEvents.get(event.transactionId) ?? []), event.eventId]);
  return { requested, validated, processorRejected, dlq, abortedOnly, refusalEvents, postedEvents };
};
