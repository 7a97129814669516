import { describe, expect, it } from "vitest";
import { kafkaSpanAttributes, messagingSpanName } from "./messagingSpans.ts";

describe("Kafka span names and attributes", () => {
  it("names a span by operation and topic", () => {
    expect(messagingSpanName("send", "transactions.requested")).toBe("send transactions.requested");
    expect(messagingSpanName("process", "t")).toBe("process t");
  });

  it("a consumed record: destination, partition, offset, key and group, under current and previous names", () => {
    expect(
      kafkaSpanAttributes("process", { topic: "t", partition: 2, offset: 42n, key: "k", consumerGroup: "g" }),
    ).toEqual({
      "messaging.system.name": "kafka",
      "messaging.system": "kafka",
      "messaging.operation.type": "process",
      "messaging.operation.name": "process",
      "messaging.destination.name": "t",
      "messaging.destination.partition.id": "2",
      "kafka.offset": 42,
      "messaging.kafka.offset": 42,
      "kafka.message.key": "k",
      "messaging.kafka.message.key": "k",
      "messaging.consumer.group.name": "g",
    });
  });

  it("a send without a key: no key, partition, offset or group", () => {
    const attributes = kafkaSpanAttributes("send", { topic: "t", key: null });
    expect(Object.keys(attributes).sort()).toEqual([
      "messaging.destination.name",
      "messaging.operation.name",
      "messaging.operation.type",
      "messaging.system",
      "messaging.system.name",
    ]);
    expect(kafkaSpanAttributes("send", { topic: "t", key: "" })).not.toHaveProperty("kafka.message.key");
  });
});
