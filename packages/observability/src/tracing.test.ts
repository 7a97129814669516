import { InMemorySpanExporter } from "@opentelemetry/sdk-trace-base";
import { afterEach, describe, expect, it } from "vitest";
import {
  contextFromHeaders,
  endSpan,
  linkFromHeaders,
  SpanKind,
  startSpan,
  startTracing,
  stopTracing,
  TRACEPARENT,
  traceHeaders,
  traceIdOf,
  tracingEnabled,
} from "./tracing.ts";

afterEach(stopTracing);

describe("tracing", () => {
  it("is off without an endpoint: no spans, no headers", () => {
    startTracing("test", { endpoint: "" });
    expect(tracingEnabled()).toBe(false);
    expect(startSpan("x", undefined)).toBeUndefined();
    expect(
      linkFromHeaders(new Map([[TRACEPARENT, "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"]])),
    ).toBe(undefined);
  });

  it("carries one trace id across a record header hop", async () => {
    const exporter = new InMemorySpanExporter();
    startTracing("test", { exporter });
    const http = startSpan("POST /v1/transactions", undefined, { kind: SpanKind.SERVER });
    const produce = startSpan("produce", http?.context, { kind: SpanKind.PRODUCER });
    const headers = traceHeaders(produce!.context);
    expect(headers[TRACEPARENT]).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    endSpan(produce);
    endSpan(http);

    // The consumer side sees only bytes.
    const received = new Map([[TRACEPARENT, Buffer.from(headers[TRACEPARENT]!)]]);
    const consume = startSpan("process", contextFromHeaders(received), { kind: SpanKind.CONSUMER });
    expect(traceIdOf(consume?.context)).toBe(http?.span.spanContext().traceId);
    endSpan(consume, new Error("boom"));

    const spans = exporter.getFinishedSpans();
    expect(spans.map((s) => s.name)).toEqual(["produce", "POST /v1/transactions", "process"]);
    expect(new Set(spans.map((s) => s.spanContext().traceId)).size).toBe(1);
    expect(spans[2]?.parentSpanContext?.spanId).toBe(produce?.span.spanContext().spanId);
    expect(spans[2]?.status.code).toBe(2);
  });

  it("a record without a traceparent starts a new trace", () => {
    startTracing("test", { exporter: new InMemorySpanExporter() });
    const span = startSpan("process", contextFromHeaders(new Map()));
    expect(traceIdOf(span?.context)).toMatch(/^[0-9a-f]{32}$/);
    endSpan(span);
  });
});
