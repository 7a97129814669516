// Every record of a topic, from its start to its end as it is now, read_committed or read_uncommitted: how
// a checker reads what a stage wrote (each call its own throwaway group, nothing committed).
import { FetchIsolationLevels, type KafkaConnection } from "@ledgerline/kafka";
import { Consumer, ListOffsetTimestamps, type Message, stringDeserializer } from "@platformatic/kafka";

export type TopicMessage = Message<string, Buffer, string, Buffer>;

export interface ReadToEndOptions<T> {
  readonly connection: KafkaConnection;
  readonly topic: string;
  readonly committed: boolean;
  /** What to keep of a record (undefined: nothing). */
  readonly decode: (message: TopicMessage) => Promise<T | undefined> | T | undefined;
  readonly withinMs?: number;
}

export const readToEnd = async <T>(options: ReadToEndOptions<T>): Promise<T[]> => {
  const { connection, topic } = options;
  const isolationLevel = options.committed
    ? FetchIsolationLevels.READ_COMMITTED
    : FetchIsolationLevels.READ_UNCOMMITTED;
  const consumer = new Consumer<string, Buffer, string, Buffer>({
    clientId: connection.clientId,
    bootstrapBrokers: [...connection.bootstrapBrokers],
    groupId: `read-to-end-${topic}-${options.committed}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    groupProtocol: "classic",
    autocommit: false,
    isolationLevel,
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
          isolationLevel,
        })
      ).get(topic) ?? [];
    if (ends.every((end) => end === 0n)) return [];
    const stream = await consumer.consume({ topics: [topic], mode: "earliest", autocommit: false });
    const out: T[] = [];
    const pending: Promise<void>[] = [];
    let failure: unknown;
    stream.on("data", (message) => {
      pending.push(
        Promise.resolve(options.decode(message)).then((value) => {
          if (value !== undefined) out.push(value);
        }),
      );
    });
    stream.on("error", (error) => {
      failure = error;
    });
    const done = () => ends.every((end, p) => (stream.offsetsToFetch.get(`${topic}:${p}`) ?? 0n) >= end);
    const withinMs = options.withinMs ?? 120_000;
    for (let waited = 0; !done(); waited += 100) {
      if (failure !== undefined) throw failure;
      if (waited > withinMs) throw new Error(`${topic} not read to its end in ${withinMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    await Promise.all(pending);
    await stream.close();
    return out;
  } finally {
    await consumer.close(true).catch(() => undefined);
  }
};
