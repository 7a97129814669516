// Kafka span names and attributes by the OpenTelemetry messaging conventions (semconv 1.45): spans are
// named `<operation> <topic>` so tracing views group them per operation and topic. The conventions are
// still in development and renamed some attributes in 1.45; we emit the current names and, as their
// `messaging/dup` migration suggests, the previous ones too, which most tools still read.
import type { Attributes } from "@opentelemetry/api";
import {
  ATTR_KAFKA_MESSAGE_KEY,
  ATTR_KAFKA_OFFSET,
  ATTR_MESSAGING_CONSUMER_GROUP_NAME,
  ATTR_MESSAGING_DESTINATION_NAME,
  ATTR_MESSAGING_DESTINATION_PARTITION_ID,
  ATTR_MESSAGING_KAFKA_MESSAGE_KEY,
  ATTR_MESSAGING_KAFKA_OFFSET,
  ATTR_MESSAGING_OPERATION_NAME,
  ATTR_MESSAGING_OPERATION_TYPE,
  ATTR_MESSAGING_SYSTEM,
  ATTR_MESSAGING_SYSTEM_NAME,
  MESSAGING_SYSTEM_NAME_VALUE_KAFKA,
} from "@opentelemetry/semantic-conventions/incubating";

/** The operation types we trace: a producer's send and a consumer's processing of one record. */
export type MessagingOperation = "send" | "process";

export interface KafkaTarget {
  readonly topic: string;
  readonly partition?: number | undefined;
  readonly offset?: bigint | number | undefined;
  /** The record key (set only when the record has one). */
  readonly key?: string | null | undefined;
  /** Consumers only. */
  readonly consumerGroup?: string | undefined;
}

/** `send <topic>` / `process <topic>`: the conventions' span name (operation name, destination). */
export const messagingSpanName = (operation: MessagingOperation, topic: string): string =>
  `${operation} ${topic}`;

/** The span attributes of one Kafka operation on one record. */
export const kafkaSpanAttributes = (operation: MessagingOperation, target: KafkaTarget): Attributes => {
  const attributes: Attributes = {
    [ATTR_MESSAGING_SYSTEM_NAME]: MESSAGING_SYSTEM_NAME_VALUE_KAFKA,
    [ATTR_MESSAGING_SYSTEM]: MESSAGING_SYSTEM_NAME_VALUE_KAFKA,
    // For Kafka the operation name equals its type (`send`, `process`).
    [ATTR_MESSAGING_OPERATION_TYPE]: operation,
    [ATTR_MESSAGING_OPERATION_NAME]: operation,
    [ATTR_MESSAGING_DESTINATION_NAME]: target.topic,
  };
  if (target.partition !== undefined)
    attributes[ATTR_MESSAGING_DESTINATION_PARTITION_ID] = String(target.partition);
  if (target.offset !== undefined) {
    attributes[ATTR_KAFKA_OFFSET] = Number(target.offset);
    attributes[ATTR_MESSAGING_KAFKA_OFFSET] = Number(target.offset);
  }
  if (typeof target.key === "string" && target.key !== "") {
    attributes[ATTR_KAFKA_MESSAGE_KEY] = target.key;
    attributes[ATTR_MESSAGING_KAFKA_MESSAGE_KEY] = target.key;
  }
  if (target.consumerGroup !== undefined)
    attributes[ATTR_MESSAGING_CONSUMER_GROUP_NAME] = target.consumerGroup;
  return attributes;
};
