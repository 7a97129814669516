// Known traffic through the three running apps, then each app's /metrics must have moved by exactly that
// much: produced, consumed, posted, and dead letters by reason. A later scrape must not have moved further.
import { createIdempotentProducer } from "@ledgerline/kafka";
import { freePort, type Pipeline, startPipeline, testEnvironment } from "@ledgerline/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sampleSum } from "../src/metricsText.ts";
import { poll, postTransaction, scrape, waitForSample } from "./metricsHelpers.ts";

const VALID = 20;
const REJECTED = 5;
const POISON = 3;

describe("each app's /metrics counts known traffic exactly", () => {
  let pipeline: Pipeline;
  let urls: { gateway: string; processor: string; sink: string };
  beforeAll(async () => {
    const [processorPort, sinkPort] = await Promise.all([freePort(), freePort()]);
    pipeline = await startPipeline("metrics", undefined, {
      env: {
        PROCESSOR_METRICS_PORT: String(processorPort),
        LEDGER_SINK_METRICS_PORT: String(sinkPort),
        METRICS_LAG_INTERVAL_MS: "500",
      },
    });
    urls = {
      gateway: `${pipeline.gatewayUrl}/metrics`,
      processor: `http://127.0.0.1:${processorPort}/metrics`,
      sink: `http://127.0.0.1:${sinkPort}/metrics`,
    };
    await poll("processor and sink /metrics", async () => {
      await Promise.all([scrape(urls.processor), scrape(urls.sink)]);
      return true;
    });
  }, 90_000);
  afterAll(() => pipeline?.stop());

  it("produced, consumed, posted and DLQ by reason move by exactly the traffic sent", async () => {
    for (let i = 0; i < VALID; i++)
      await postTransaction(pipeline.gatewayUrl, {
        account_id: `ACC-${1000 + i}`,
        amount: "10.00",
        currency: "USD",
        merchant_name: "Chicago Retail Hub",
      });
    for (let i = 0; i < REJECTED; i++)
      await postTransaction(pipeline.gatewayUrl, {
        // The gateway accepts dots in account ids; the processor's ledger format rejects them.
        account_id: `ACC.${2000 + i}`,
        amount: "10.00",
        currency: "USD",
        merchant_name: "Somewhere",
      });
    // Bytes that are not the registry wire format: the processor dead-letters them.
    const producer = createIdempotentProducer({
      bootstrapBrokers: testEnvironment().brokers,
      clientId: "metrics-test",
    });
    await producer.send({
      messages: Array.from({ length: POISON }, (_, i) => ({
        topic: pipeline.namespace.names.topic("requested"),
        key: `poison-${i}`,
        value: Buffer.from("not avro"),
      })),
    });
    await producer.close();

    const posted = "ledgerline_ledger_transactions_posted_total";
    await waitForSample(urls.sink, posted, { outcome: "posted" }, VALID);
    await waitForSample(urls.sink, posted, { outcome: "rejected" }, REJECTED);
    // Poison bytes carry no transaction id: the sink consumes their dead letters but has no ledger row to write.
    await waitForSample(urls.sink, "ledgerline_kafka_records_consumed_total", { topic: "dlq" }, POISON);
    // Settle, then every counter must be exact (nothing counted twice, nothing late).
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const [gateway, processor, sink] = await Promise.all([
      scrape(urls.gateway),
      scrape(urls.processor),
      scrape(urls.sink),
    ]);

    const produced = "ledgerline_kafka_records_produced_total";
    const consumed = "ledgerline_kafka_records_consumed_total";
    expect(sampleSum(gateway, produced, { stage: "gateway", topic: "requested" })).toBe(VALID + REJECTED);
    expect(
      sampleSum(gateway, "ledgerline_http_requests_total", {
        method: "POST",
        route: "/v1/transactions",
        status: "202",
      }),
    ).toBe(VALID + REJECTED);
    expect(
      sampleSum(gateway, "ledgerline_http_request_duration_seconds_count", { route: "/v1/transactions" }),
    ).toBe(VALID + REJECTED);

    expect(sampleSum(processor, consumed, { stage: "processor", topic: "requested" })).toBe(
      VALID + REJECTED + POISON,
    );
    expect(sampleSum(processor, produced, { stage: "processor", topic: "validated" })).toBe(VALID);
    expect(sampleSum(processor, produced, { stage: "processor", topic: "rejected" })).toBe(REJECTED);
    expect(sampleSum(processor, produced, { stage: "processor", topic: "dlq" })).toBe(POISON);
    expect(
      sampleSum(processor, "ledgerline_dlq_records_total", { stage: "processor", reason: "NOT_WIRE_FORMAT" }),
    ).toBe(POISON);
    expect(sampleSum(processor, "ledgerline_dlq_records_total")).toBe(POISON);
    expect(sampleSum(processor, "ledgerline_batch_size_records_sum", { stage: "processor" })).toBe(
      VALID + REJECTED + POISON,
    );
    expect(
      sampleSum(processor, "ledgerline_kafka_transactions_total", {
        stage: "processor",
        outcome: "committed",
      }),
    ).toBeGreaterThan(0);

    expect(sampleSum(sink, consumed, { stage: "ledger-sink", topic: "validated" })).toBe(VALID);
    expect(sampleSum(sink, consumed, { stage: "ledger-sink", topic: "rejected" })).toBe(REJECTED);
    expect(sampleSum(sink, consumed, { stage: "ledger-sink", topic: "dlq" })).toBe(POISON);
    expect(sampleSum(sink, posted, { outcome: "posted" })).toBe(VALID);
    expect(sampleSum(sink, posted, { outcome: "rejected" })).toBe(REJECTED);
    expect(sampleSum(sink, posted, { outcome: "dead_lettered" })).toBe(0);
    expect(sampleSum(sink, "ledgerline_dlq_records_total", { stage: "ledger-sink" })).toBe(0);
    expect(sampleSum(sink, "ledgerline_postgres_transaction_duration_seconds_count")).toBeGreaterThan(0);
    // The relay publishes one posted event per posted transaction; the backlog drains to 0.
    await waitForSample(urls.sink, produced, { stage: "outbox-relay", topic: "posted" }, VALID);
    await waitForSample(urls.sink, "ledgerline_outbox_backlog_events", {}, 0);
    // Every pipeline group is caught up (markers included: the sink commits past them).
    await waitForSample(urls.processor, "ledgerline_kafka_consumer_lag_records", {}, 0);
  }, 90_000);
});
