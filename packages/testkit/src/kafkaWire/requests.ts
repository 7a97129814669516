// A request as the proxy sees it: its header and, for the transaction APIs and Produce, which
// transaction, producer and epoch it belongs to.
import { ApiKeys, apiName, bodyIsRead, isFlexible } from "./codes.ts";
import { Cursor } from "./frames.ts";

export interface KafkaRequest {
  readonly apiKey: number;
  readonly apiName: string;
  readonly apiVersion: number;
  readonly correlationId: number;
  readonly clientId: string | null;
  readonly transactionalId?: string | null;
  readonly producerId?: bigint;
  readonly producerEpoch?: number;
  /** EndTxn: commit (true) or abort (false). */
  readonly commit?: boolean;
  /** AddPartitionsToTxn and Produce: "topic:partition" in the order of the request. */
  readonly partitions?: readonly string[];
  /** Produce: records in the first batch of each partition, in the order of `partitions`. */
  readonly records?: readonly number[];
}
/** The header of a request frame and, for the transaction APIs and Produce, who sent it for what. */
export const parseRequest = (frame: Buffer): KafkaRequest => {
  const header = new Cursor(frame, 4, false);
  const apiKey = header.int16();
  const apiVersion = header.int16();
  const correlationId = header.int32();
  const clientId = header.string();
  const base = { apiKey, apiName: apiName(apiKey), apiVersion, correlationId, clientId };
  if (!bodyIsRead(apiKey)) return base;
  const flexible = isFlexible(apiKey, apiVersion);
  const body = new Cursor(frame, header.offset, flexible);
  body.taggedFields();
  try {
    return { ...base, ...parseRequestBody(apiKey, apiVersion, body) };
  } catch {
    return base; // a layout this parser does not know: the header is still worth recording
  }
};

const parseRequestBody = (apiKey: number, version: number, body: Cursor): Partial<KafkaRequest> => {
  switch (apiKey) {
    case ApiKeys.EndTxn:
      return {
        transactionalId: body.string(),
        producerId: body.int64(),
        producerEpoch: body.int16(),
        commit: body.int8() !== 0,
      };
    case ApiKeys.InitProducerId: {
      const transactionalId = body.string();
      body.int32(); // transaction timeout
      return version >= 3
        ? { transactionalId, producerId: body.int64(), producerEpoch: body.int16() }
        : { transactionalId };
    }
    case ApiKeys.AddPartitionsToTxn: {
      if (version >= 4) return {}; // batched form (brokers only)
      const transactionalId = body.string();
      const producerId = body.int64();
      const producerEpoch = body.int16();
      const partitions = body.array(() => {
        const topic = body.string();
        const indexes = body.array(() => body.int32());
        body.taggedFields();
        return indexes.map((index) => `${topic}:${index}`);
      });
      return { transactionalId, producerId, producerEpoch, partitions: partitions.flat() };
    }
    case ApiKeys.AddOffsetsToTxn:
    case ApiKeys.TxnOffsetCommit: {
      const transactionalId = body.string();
      if (apiKey === ApiKeys.TxnOffsetCommit) body.string(); // group id comes before the producer
      return { transactionalId, producerId: body.int64(), producerEpoch: body.int16() };
    }
    case ApiKeys.Produce:
      return parseProduce(version, body);
    default:
      return {};
  }
};

/** Produce: the transactional id, and per partition the first batch's producer, epoch and record count. */
const parseProduce = (version: number, body: Cursor): Partial<KafkaRequest> => {
  const transactionalId = body.string();
  body.int16(); // acks
  body.int32(); // timeout
  let producerId: bigint | undefined;
  let producerEpoch: number | undefined;
  const entries = body.array(() => {
    const topic = version >= 13 ? topicId(body) : body.string();
    const partitions = body.array(() => {
      const index = body.int32();
      const batch = body.bytes();
      body.taggedFields();
      // Record batch v2: producer id at 43, epoch at 51, record count at 57.
      if (batch && batch.length >= 61) {
        producerId ??= batch.readBigInt64BE(43);
        producerEpoch ??= batch.readInt16BE(51);
      }
      return { key: `${topic}:${index}`, records: batch && batch.length >= 61 ? batch.readInt32BE(57) : 0 };
    });
    body.taggedFields();
    return partitions;
  });
  const flat = entries.flat();
  return {
    transactionalId,
    ...(producerId !== undefined ? { producerId, producerEpoch } : {}),
    partitions: flat.map((p) => p.key),
    records: flat.map((p) => p.records),
  };
};

const topicId = (body: Cursor): string => {
  const bytes = body.buffer.subarray(body.offset, body.offset + 16);
  body.skip(16);
  return bytes.toString("hex").slice(0, 8);
};
