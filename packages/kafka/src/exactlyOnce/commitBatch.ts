// One batch → one Kafka transaction holding its outputs and the consumed offsets. Every failure leaves
// as a StageFault whose reason the retry policy acts on: Aborted (read the batch again), Fenced (the
// producer lost its id, or could not even abort: renew it), StaleOffsets, or what the broker said.

import { randomUUID } from "node:crypto";
import { classifyFault, StageFault } from "@ledgerline/resilience";
import { Effect } from "effect";
import type { ConsumedRecord } from "../BatchReader.ts";
import type { RecordProducer } from "../clients.ts";
import { describeError } from "../kafkaErrors.ts";
import { batchOwnership } from "./ownership.ts";
import type { RunnerClients } from "./RunnerClients.ts";
import type { EncodedMessage } from "./types.ts";

export const lastOfEachPartition = (batch: readonly ConsumedRecord[]): ConsumedRecord[] => {
  const last = new Map<string, ConsumedRecord>();
  for (const record of batch) last.set(`${record.topic}:${record.partition}`, record);
  return [...last.values()];
};

const firstOfEachPartition = (batch: readonly ConsumedRecord[]): ConsumedRecord[] => {
  const first = new Map<string, ConsumedRecord>();
  for (const record of batch) {
    const key = `${record.topic}:${record.partition}`;
    if (!first.has(key)) first.set(key, record);
  }
  return [...first.values()];
};

/**
 * Every output of one transaction carries `<transaction uuid>/<outputs in it>`: whoever reads the topics
 * read_committed can tell a torn transaction (some of its outputs visible, not all) from a whole one.
 */
export const TRANSACTION_HEADER = "ledgerline-txn";

const tagged = (messages: readonly EncodedMessage[]): EncodedMessage[] => {
  const tag = Buffer.from(`${randomUUID()}/${messages.length}`, "utf8");
  return messages.map((message) => ({
    ...message,
    headers: { ...(message.headers as Record<string, Buffer> | undefined), [TRANSACTION_HEADER]: tag },
  }));
};

/**
 * One produce request per chunk, well under the broker's message.max.bytes (1 MiB, per partition's record
 * batch) even if all its records land in one partition; the size counts 64 bytes of framing per record, more
 * than Kafka's. A batch of 2,000 processed requests takes one or two requests. 900 KiB (always one) was
 * measured no faster on bench:processor (3 alternating runs each).
 */
export const SEND_CHUNK_BYTES = 512 * 1024;
const sizeOf = (message: EncodedMessage): number => {
  let size =
    64 + (message.value?.length ?? 0) + (message.key === undefined ? 0 : Buffer.byteLength(message.key));
  const headers =
    message.headers instanceof Map ? [...message.headers] : Object.entries(message.headers ?? {});
  for (const [name, value] of headers) size += name.length + value.length;
  return size;
};
export const chunksOf = (messages: readonly EncodedMessage[]): EncodedMessage[][] => {
  const chunks: EncodedMessage[][] = [];
  let chunk: EncodedMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = sizeOf(message);
    if (chunk.length > 0 && bytes + size > SEND_CHUNK_BYTES) {
      chunks.push(chunk);
      chunk = [];
      bytes = 0;
    }
    chunk.push(message);
    bytes += size;
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
};

/** beginTransaction, without leaving a half-begun transaction behind when it fails (the next begin would refuse). */
export const beginTransaction = async (producer: RecordProducer) => {
  try {
    return await producer.beginTransaction();
  } catch (error) {
    await producer.transaction?.cancel().catch(() => undefined);
    throw error;
  }
};

const generationOf = (record: ConsumedRecord): number =>
  Number((record.metadata as { consumer?: { generationId?: number } }).consumer?.generationId ?? -1);

/**
 * Every record of the batch was read in the consumer's current generation from a partition assigned to it
 * (see ownership.ts). Otherwise the session ends and a new stream starts from the committed offsets.
 */
export const verifyOwnership = (clients: RunnerClients, batch: readonly ConsumedRecord[]) =>
  Effect.suspend(() => {
    const ownership = batchOwnership(
      clients.membership,
      clients.consumer.generationId,
      batch.map((record) => ({
        topic: record.topic,
        partition: record.partition,
        generation: generationOf(record),
      })),
    );
    return ownership._tag === "Owned"
      ? Effect.void
      : Effect.fail(
          new StageFault({ reason: "StaleOffsets", message: `batch not ours: ${ownership.reason}` }),
        );
  });

/**
 * The stream starts from offsets read without require_stable; a previous owner's transaction may have been
 * committing them at that moment. Compare with the stable view before producing anything for a partition.
 */
export const verifyStableStart = (
  clients: RunnerClients,
  groupId: string,
  verified: Set<string>,
  batch: readonly ConsumedRecord[],
) =>
  Effect.tryPromise({
    try: async () => {
      const unverified = firstOfEachPartition(batch).filter(
        (record) => !verified.has(`${record.topic}:${record.partition}@${generationOf(record)}`),
      );
      if (unverified.length === 0) return;
      const [group] = await clients.admin.listConsumerGroupOffsets({
        groups: [
          {
            groupId,
            topics: [...new Set(unverified.map((r) => r.topic))].map((topic) => ({
              name: topic,
              partitionIndexes: unverified.filter((r) => r.topic === topic).map((r) => r.partition),
            })),
          },
        ],
        requireStable: true,
      });
      for (const record of unverified) {
        const committed = group?.topics
          .find((topic) => topic.name === record.topic)
          ?.partitions.find((partition) => partition.partitionIndex === record.partition)?.committedOffset;
        if (committed !== undefined && committed > record.offset) {
          throw new StageFault({
            reason: "StaleOffsets",
            message: `${record.topic}:${record.partition} starts at ${record.offset} but ${committed} is committed`,
          });
        }
        verified.add(`${record.topic}:${record.partition}@${generationOf(record)}`);
      }
    },
    catch: classifyFault,
  });

/**
 * Outputs and offsets in one transaction. A transaction that fails is never ended again with the same
 * epoch: the fault makes the runner replace the producer, whose InitProducerId bumps the epoch, which
 * aborts (or completes) the transaction at the coordinator and fences every request of it still in flight.
 * Under Transactions V1 a late request would otherwise land in the next transaction (KAFKA-17754).
 */
export const commitTransaction = (
  clients: RunnerClients,
  batch: readonly ConsumedRecord[],
  messages: readonly EncodedMessage[],
) =>
  Effect.tryPromise({
    try: async () => {
      const { producer, consumer } = clients;
      const tx = await beginTransaction(producer);
      let committing = false;
      try {
        for (const chunk of chunksOf(tagged(messages))) await tx.send({ messages: chunk });
        // Every partition's offset in one TxnOffsetCommit (our client patch's addOffsets): one round trip.
        await tx.addConsumer(consumer);
        await tx.addOffsets(lastOfEachPartition(batch));
        committing = true;
        await tx.commit();
      } catch (error) {
        throw await transactionFault(error, committing ? undefined : () => tx.abort());
      }
    },
    catch: classifyFault,
  }).pipe(Effect.uninterruptible);

/**
 * The fault of a failed transaction. Before the commit, the transaction is aborted first so that the
 * coordinator ends it now (read_committed readers wait on it); after a failed or timed-out EndTxn it is
 * not (that EndTxn may still arrive: a second one with the same epoch is what Jepsen warns about).
 */
export const transactionFault = async (
  error: unknown,
  abort?: () => Promise<unknown>,
): Promise<StageFault> => {
  const abortError = abort
    ? await abort().then(
        () => undefined,
        (e: unknown) => e,
      )
    : undefined;
  const fault = classifyFault(error);
  // Fencing and fatal faults keep their reason: a missing ACL or bad credentials stay fatal even when the
  // abort failed too (a new producer cannot fix them, and retrying them forever would hide them).
  if (fault.reason === "Fenced" || fault.reason === "Misconfigured" || fault.reason === "Defect")
    return fault;
  const what = abort ? "transaction aborted" : "commit failed, outcome unknown";
  const abortNote = abortError !== undefined ? `; its abort failed too: ${describeError(abortError)}` : "";
  return new StageFault({
    reason: "Aborted",
    message: `${what} (${fault.reason}: ${fault.message})${abortNote}`,
    cause: error,
  });
};

/** The at-least-once comparison mode (benchmark only): plain produce, then commit the offsets. */
export const commitAtLeastOnce = (
  clients: RunnerClients,
  batch: readonly ConsumedRecord[],
  messages: readonly EncodedMessage[],
) =>
  Effect.tryPromise({
    try: async () => {
      for (const chunk of chunksOf(messages)) await clients.producer.send({ messages: chunk });
      await clients.consumer.commit({
        offsets: lastOfEachPartition(batch).map((r) => ({
          topic: r.topic,
          partition: r.partition,
          offset: r.offset + 1n,
          leaderEpoch: r.leaderEpoch,
        })),
      });
    },
    catch: classifyFault,
  });
