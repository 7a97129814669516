// A response as the proxy sees it: the error codes of the transaction APIs and Produce, the producer
// id and epoch InitProducerId hands out, the offsets a Produce was written at.
import { ApiKeys, bodyIsRead, errorName, isFlexible } from "./codes.ts";
import { Cursor } from "./frames.ts";

export interface KafkaResponse {
  readonly correlationId: number;
  /** Names of the non-zero error codes of the response (top level and per partition). */
  readonly errors: readonly string[];
  /** InitProducerId (and EndTxn v5+): the producer id and epoch the coordinator handed out. */
  readonly producerId?: bigint;
  readonly producerEpoch?: number;
  /** Produce: the base offset per partition. */
  readonly baseOffsets?: readonly bigint[];
}
/** A response frame, read with the api key and version of the request it answers. */
export const parseResponse = (frame: Buffer, apiKey: number, apiVersion: number): KafkaResponse => {
  const cursor = new Cursor(frame, 4, isFlexible(apiKey, apiVersion));
  const correlationId = cursor.int32();
  if (!bodyIsRead(apiKey)) return { correlationId, errors: [] };
  try {
    cursor.taggedFields(); // response header v1 (ApiVersions, the exception, is not parsed here)
    return { correlationId, ...parseResponseBody(apiKey, apiVersion, cursor) };
  } catch {
    return { correlationId, errors: [] };
  }
};

const codes = (...values: number[]) => values.filter((code) => code !== 0).map(errorName);

const parseResponseBody = (
  apiKey: number,
  version: number,
  body: Cursor,
): Omit<KafkaResponse, "correlationId"> => {
  switch (apiKey) {
    case ApiKeys.EndTxn:
    case ApiKeys.AddOffsetsToTxn: {
      body.int32(); // throttle
      const errors = codes(body.int16());
      if (apiKey === ApiKeys.EndTxn && version >= 5)
        return { errors, producerId: body.int64(), producerEpoch: body.int16() };
      return { errors };
    }
    case ApiKeys.InitProducerId: {
      body.int32();
      return { errors: codes(body.int16()), producerId: body.int64(), producerEpoch: body.int16() };
    }
    case ApiKeys.AddPartitionsToTxn:
    case ApiKeys.TxnOffsetCommit: {
      body.int32();
      if (apiKey === ApiKeys.AddPartitionsToTxn && version >= 4) return { errors: codes(body.int16()) };
      const errors = body.array(() => {
        body.string();
        const partitionErrors = body.array(() => {
          body.int32();
          const code = body.int16();
          body.taggedFields();
          return code;
        });
        body.taggedFields();
        return partitionErrors;
      });
      return { errors: codes(...errors.flat()) };
    }
    case ApiKeys.Produce:
      return parseProduceResponse(version, body);
    default:
      return { errors: [] };
  }
};

const parseProduceResponse = (version: number, body: Cursor): Omit<KafkaResponse, "correlationId"> => {
  const results = body.array(() => {
    if (version >= 13) body.skip(16);
    else body.string();
    const partitions = body.array(() => {
      body.int32(); // index
      const code = body.int16();
      const baseOffset = body.int64();
      body.int64(); // log append time
      body.int64(); // log start offset
      body.array(() => {
        body.int32();
        body.string();
        body.taggedFields();
      });
      body.string(); // error message
      body.taggedFields();
      return { code, baseOffset };
    });
    body.taggedFields();
    return partitions;
  });
  const flat = results.flat();
  return { errors: codes(...flat.map((p) => p.code)), baseOffsets: flat.map((p) => p.baseOffset) };
};
