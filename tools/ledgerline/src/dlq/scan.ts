// Reads the whole DLQ as it is now (up to the last stable offset) without joining any real group's progress.

import { randomUUID } from "node:crypto";
import type { DeadLetter } from "@ledgerline/contracts";
import { createReadCommittedConsumer, FetchIsolationLevels, type KafkaConnection } from "@ledgerline/kafka";
import { isRecordFault } from "@ledgerline/resilience";
import type { RegistryCodec } from "@ledgerline/schema-registry";

export interface DlqRecord {
  readonly partition: number;
  readonly offset: bigint;
  readonly timestamp: Date;
  readonly key: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  /** The decoded envelope, or null when the DLQ record itself cannot be decoded. */
  readonly envelope: DeadLetter | null;
  readonly decodeError: string | null;
  readonly raw: Buffer | undefined;
}

export interface DlqSnapshot {
  readonly topic: string;
  readonly records: readonly DlqRecord[];
  /** Highest offset of a data record per partition (-1 when none): where a replay of this snapshot ends. */
  readonly lastOffsets: readonly bigint[];
}

const SCAN_TIMEOUT_MS = 60_000;

export const scanDlq = async (connection: KafkaConnection, codec: RegistryCodec): Promise<DlqSnapshot> => {
  const topic = codec.names.topic("dlq");
  // A throwaway group that never commits: inspecting must not move anyone's offsets.
  const consumer = createReadCommittedConsumer(
    connection,
    `${codec.names.group("dlqReplay")}.inspect.${randomUUID()}`,
  );
  try {
    const ends =
      (
        await consumer.listOffsets({ topics: [topic], isolationLevel: FetchIsolationLevels.READ_COMMITTED })
      ).get(topic) ?? [];
    const starts = (await consumer.listOffsets({ topics: [topic], timestamp: -2n })).get(topic) ?? [];
    const lastOffsets = ends.map(() => -1n);
    const pending = new Set(
      ends.flatMap((end, partition) => (end > (starts[partition] ?? 0n) ? [partition] : [])),
    );
    if (pending.size === 0) return { topic, records: [], lastOffsets };

    const stream = await consumer.consume({ topics: [topic], mode: "earliest", autocommit: false });
    const raw: Array<{
      partition: number;
      offset: bigint;
      timestamp: bigint;
      key: string | undefined;
      value: Buffer | undefined;
      headers: Record<string, string>;
    }> = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`reading ${topic} did not finish within ${SCAN_TIMEOUT_MS} ms`)),
        SCAN_TIMEOUT_MS,
      );
      // The fetch position moves past transaction markers too, so it tells when a partition is read to its end.
      const check = () => {
        for (const partition of [...pending]) {
          const position = stream.offsetsToFetch.get(`${topic}:${partition}`) ?? 0n;
          if (position >= (ends[partition] ?? 0n)) pending.delete(partition);
        }
        if (pending.size === 0) {
          clearTimeout(timer);
          clearInterval(poll);
          resolve();
        }
      };
      const poll = setInterval(check, 50);
      stream.on("data", (message) => {
        if (message.offset >= (ends[message.partition] ?? 0n)) return;
        const headers: Record<string, string> = {};
        for (const [name, value] of message.headers ?? [])
          headers[String(name)] = Buffer.isBuffer(value) ? value.toString("utf8") : String(value);
        raw.push({
          partition: message.partition,
          offset: message.offset,
          timestamp: message.timestamp,
          key: message.key,
          value: message.value,
          headers,
        });
        if (message.offset > (lastOffsets[message.partition] ?? -1n))
          lastOffsets[message.partition] = message.offset;
      });
      stream.on("error", (error) => {
        clearTimeout(timer);
        clearInterval(poll);
        reject(error);
      });
    });
    await stream.close().catch(() => undefined);
    const records: DlqRecord[] = [];
    for (const item of raw.sort((a, b) => a.partition - b.partition || Number(a.offset - b.offset))) {
      let envelope: DeadLetter | null = null;
      let decodeError: string | null = null;
      try {
        envelope = await codec.decode<DeadLetter>("dlq", item.value);
      } catch (error) {
        if (!isRecordFault(error)) throw error;
        decodeError = (error as Error).message;
      }
      records.push({
        partition: item.partition,
        offset: item.offset,
        timestamp: new Date(Number(item.timestamp)),
        key: item.key,
        headers: item.headers,
        envelope,
        decodeError,
        raw: item.value,
      });
    }
    return { topic, records, lastOffsets };
  } finally {
    await consumer.close(true).catch(() => undefined);
  }
};
