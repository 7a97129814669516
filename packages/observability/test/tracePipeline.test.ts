// One POST through the real pipeline (three processes) with tracing on: each process exports over
// OTLP/HTTP (JSON) to a tiny collector this test runs, and the trace must hold the gateway, processor
// and ledger-sink spans under one trace id, named and attributed by the OpenTelemetry messaging conventions. The same run checks the batch log lines (LOG_LEVEL=debug).
import { createServer, type Server } from "node:http";
import { freePort, type Pipeline, startPipeline, testEnvironment } from "@ledgerline/testkit";
import { Consumer, FetchIsolationLevels, stringDeserializer } from "@platformatic/kafka";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

interface ExportedSpan {
  readonly service: string;
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly kind?: number;
  readonly attributes: Record<string, unknown>;
  readonly links: readonly { traceId: string; spanId: string }[];
}

interface OtlpRequest {
  resourceSpans?: {
    resource?: { attributes?: { key: string; value: { stringValue?: string } }[] };
    scopeSpans?: {
      spans?: {
        traceId: string;
        spanId: string;
        parentSpanId?: string;
        name: string;
        kind?: number;
        attributes?: { key: string; value: Record<string, unknown> }[];
        links?: { traceId: string; spanId: string }[];
      }[];
    }[];
  }[];
}

const startCollector = async () => {
  const spans: ExportedSpan[] = [];
  const port = await freePort();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = JSON.parse(Buffer.concat(chunks).toString("utf8") || "{}") as OtlpRequest;
      for (const resourceSpans of body.resourceSpans ?? []) {
        const service =
          resourceSpans.resource?.attributes?.find((a) => a.key === "service.name")?.value.stringValue ?? "";
        for (const scope of resourceSpans.scopeSpans ?? [])
          for (const span of scope.spans ?? [])
            spans.push({
              service,
              traceId: span.traceId,
              spanId: span.spanId,
              parentSpanId: span.parentSpanId,
              name: span.name,
              kind: span.kind,
              links: span.links ?? [],
              attributes: Object.fromEntries(
                (span.attributes ?? []).map((a) => [a.key, Object.values(a.value)[0]]),
              ),
            });
      }
      res.writeHead(200, { "content-type": "application/json" }).end("{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return { spans, endpoint: `http://127.0.0.1:${port}`, close: () => server.close() };
};

const waitFor = async <T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 45_000) => {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
};

const jsonLines = (output: string) =>
  output
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map(
      (line) => JSON.parse(line) as { message: unknown; level: string; annotations: Record<string, unknown> },
    );

describe("tracing across the pipeline", () => {
  let collector: Awaited<ReturnType<typeof startCollector>>;
  let pipeline: Pipeline;
  let transactionId: string;

  beforeAll(async () => {
    collector = await startCollector();
    pipeline = await startPipeline("trace", undefined, {
      env: {
        // Own metrics ports: other pipeline tests may run at the same time.
        PROCESSOR_METRICS_PORT: String(await freePort()),
        LEDGER_SINK_METRICS_PORT: String(await freePort()),
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint,
        OTEL_BSP_SCHEDULE_DELAY: "100",
        LOG_LEVEL: "debug",
      },
    });
    const response = await fetch(`${pipeline.gatewayUrl}/v1/transactions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer dev-key-change-me" },
      body: JSON.stringify({
        account_id: "ACC-TRACE",
        amount: "12.34",
        currency: "USD",
        merchant_name: "Trace Shop",
      }),
    });
    expect(response.status).toBe(202);
    transactionId = ((await response.json()) as { transaction_id: string }).transaction_id;
  }, 90_000);

  afterAll(async () => {
    await pipeline?.stop();
    collector?.close();
  });

  it("one trace id from the POST to the ledger write", async () => {
    const ofTransaction = () => {
      const http = collector.spans.find((s) => s.service === "gateway" && s.name === "POST /v1/transactions");
      if (!http) return undefined;
      const trace = collector.spans.filter((s) => s.traceId === http.traceId);
      return trace.some((s) => s.service === "ledger-sink") ? trace : undefined;
    };
    const trace = await waitFor("the ledger-sink span", ofTransaction).catch((error: Error) => {
      throw new Error(
        `${error.message}\n${JSON.stringify(collector.spans, null, 1)}\n${pipeline.logs("ledger-sink")}`,
      );
    });
    const topic = pipeline.namespace.names.topic;
    const group = pipeline.namespace.names.group;
    const send = `send ${topic("requested")}`;
    const process = `process ${topic("requested")}`;
    const write = `process ${topic("validated")}`;
    const names = trace.map((s) => `${s.service}:${s.name}`);
    expect(names).toEqual(
      expect.arrayContaining(["gateway:POST /v1/transactions", `gateway:${send}`, `processor:${process}`]),
    );
    expect(names).toContain(`ledger-sink:${write}`);
    // A chain, not just a shared id: each hop's span is the child of the one before, and links it too.
    const byName = (name: string) => trace.find((s) => s.name === name)!;
    expect(byName(process).parentSpanId).toBe(byName(send).spanId);
    expect(byName(process).links).toContainEqual(
      expect.objectContaining({ traceId: byName(send).traceId, spanId: byName(send).spanId }),
    );
    expect(byName(write).parentSpanId).toBe(byName(process).spanId);
    // OTLP span kinds: 4 PRODUCER, 5 CONSUMER.
    expect([byName(send).kind, byName(process).kind, byName(write).kind]).toEqual([4, 5, 5]);
    const kafka = { "messaging.system.name": "kafka", "messaging.system": "kafka" };
    expect(byName(send).attributes).toMatchObject({
      ...kafka,
      "messaging.operation.type": "send",
      "messaging.operation.name": "send",
      "messaging.destination.name": topic("requested"),
      "kafka.message.key": "ACC-TRACE",
      "messaging.kafka.message.key": "ACC-TRACE",
      "ledgerline.transaction_id": transactionId,
    });
    expect(byName(process).attributes).toMatchObject({
      ...kafka,
      "messaging.operation.type": "process",
      "messaging.operation.name": "process",
      "messaging.destination.name": topic("requested"),
      "messaging.consumer.group.name": group("processor"),
      "messaging.destination.partition.id": expect.any(String),
      "kafka.message.key": "ACC-TRACE",
      "messaging.kafka.message.key": "ACC-TRACE",
      "ledgerline.transaction_id": transactionId,
    });
    expect(Number(byName(process).attributes["kafka.offset"])).toBeGreaterThanOrEqual(0);
    expect(byName(process).attributes["messaging.kafka.offset"]).toBe(
      byName(process).attributes["kafka.offset"],
    );
    expect(byName(write).attributes).toMatchObject({
      ...kafka,
      "messaging.operation.type": "process",
      "messaging.destination.name": topic("validated"),
      "messaging.consumer.group.name": group("ledgerSink"),
    });
  }, 60_000);

  it("batch logs are JSON lines with counts and duration; per-record lines carry transaction and trace ids", async () => {
    const traceId = collector.spans.find(
      (s) => s.service === "processor" && s.name.startsWith("process "),
    )?.traceId;
    const processor = await waitFor("the processor's record line", () => {
      const lines = jsonLines(pipeline.logs("processor"));
      return lines.some((l) => l.annotations.transactionId === transactionId) ? lines : undefined;
    });
    const batch = processor.find((l) => l.message === "batch committed")!;
    expect(batch.level).toBe("INFO");
    expect(batch.annotations).toMatchObject({ stage: "processor", records: expect.any(Number) });
    expect(batch.annotations).toHaveProperty("durationMs");
    expect(batch.annotations).toHaveProperty("lag");
    const record = processor.find((l) => l.annotations.transactionId === transactionId)!;
    expect(record.level).toBe("DEBUG");
    expect(record.annotations.traceId).toBe(traceId);

    const sink = await waitFor("the sink's batch line", () => {
      const lines = jsonLines(pipeline.logs("ledger-sink"));
      return lines.some((l) => l.message === "ledger-sink batch committed") ? lines : undefined;
    });
    const sinkBatch = sink.find((l) => l.message === "ledger-sink batch committed")!;
    expect(sinkBatch.level).toBe("INFO");
    expect(sinkBatch.annotations).toMatchObject({ service: "ledger-sink", records: 1, posted: 1 });
    expect(sinkBatch.annotations).toHaveProperty("durationMs");
  }, 60_000);

  it("the transactions.posted event published from the outbox continues the same trace through a send span", async () => {
    const http = await waitFor("the POST span", () =>
      collector.spans.find((s) => s.service === "gateway" && s.name === "POST /v1/transactions"),
    );
    const consumer = new Consumer({
      groupId: `${pipeline.namespace.namespace}.trace-reader`,
      clientId: "trace-test",
      bootstrapBrokers: testEnvironment().brokers,
      isolationLevel: FetchIsolationLevels.READ_COMMITTED,
      autocommit: false,
      deserializers: { headerKey: stringDeserializer },
    });
    const stream = await consumer.consume({
      topics: [pipeline.namespace.names.topic("posted")],
      mode: "earliest",
    });
    const timer = setTimeout(() => void stream.close(), 20_000);
    try {
      let traceparent: string | undefined;
      for await (const message of stream) {
        traceparent = message.headers.get("traceparent")?.toString();
        break;
      }
      // W3C traceparent: version-traceid-spanid-flags.
      expect(traceparent?.split("-")[1]).toBe(http.traceId);
      // It names the relay's `send` span, child of the span the outbox row kept: the ledger write's.
      const posted = pipeline.namespace.names.topic("posted");
      const send = await waitFor("the relay's send span", () =>
        collector.spans.find((s) => s.traceId === http.traceId && s.name === `send ${posted}`),
      );
      expect(traceparent?.split("-")[2]).toBe(send.spanId);
      expect(send).toMatchObject({ service: "ledger-sink", kind: 4 });
      expect(send.attributes).toMatchObject({
        "messaging.operation.type": "send",
        "messaging.destination.name": posted,
        "kafka.message.key": "ACC-TRACE",
      });
      const parent = collector.spans.find((s) => s.spanId === send.parentSpanId);
      expect(parent).toMatchObject({
        service: "ledger-sink",
        name: `process ${pipeline.namespace.names.topic("validated")}`,
      });
    } finally {
      clearTimeout(timer);
      await stream.close();
      await consumer.close(true);
    }
  }, 60_000);
});
