// OpenTelemetry tracing, OFF unless OTEL_EXPORTER_OTLP_ENDPOINT is set: then an SDK exports spans over
// OTLP/HTTP. Off means no SDK registered and `tracingEnabled()` false, so hot paths skip all span work.
import {
  type Attributes,
  type Context,
  type Link,
  context as otelContext,
  ROOT_CONTEXT,
  type Span,
  type SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
  type SpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
import { ATTR_SERVICE_NAME } from "@opentelemetry/semantic-conventions";
import { Config } from "effect";

export {
  type Context as TraceContext,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
} from "@opentelemetry/api";

/** The Kafka record header that carries the W3C trace context across hops. */
export const TRACEPARENT = "traceparent";

let enabled = false;
let provider: NodeTracerProvider | undefined;
const propagator = new W3CTraceContextPropagator();

/** True once `startTracing` registered an SDK; callers skip span work entirely when false. */
export const tracingEnabled = (): boolean => enabled;

export const tracer = (): Tracer => trace.getTracer("ledgerline");

export interface TracingOptions {
  /** Export here instead of OTLP (tests: InMemorySpanExporter); spans are exported one by one. */
  readonly exporter?: SpanExporter;
  /** OTLP/HTTP collector; without an endpoint or exporter tracing stays off. */
  readonly endpoint?: string | undefined;
  /** The resource's service name; defaults to the service passed to startTracing. */
  readonly serviceName?: string | undefined;
}

const optional = (name: string) =>
  Config.String(name).pipe(
    Config.option,
    Config.map((value) => (value._tag === "Some" && value.value !== "" ? value.value : undefined)),
  );

/** The standard OTEL_* variables the launcher reads for `startTracing`. */
export const tracingConfig: Config.Config<TracingOptions> = Config.all({
  // Tracing is on only when this is set (the exporter reads the rest of OTEL_EXPORTER_OTLP_* itself).
  endpoint: optional("OTEL_EXPORTER_OTLP_ENDPOINT"),
  serviceName: optional("OTEL_SERVICE_NAME"),
});

/**
 * Registers the SDK for `service` when an endpoint (or exporter) is configured. Returns a shutdown that
 * flushes pending spans; a no-op when tracing stays off.
 */
export const startTracing = (service: string, options: TracingOptions = {}): (() => Promise<void>) => {
  if (!options.exporter && !options.endpoint) return async () => undefined;
  const processor: SpanProcessor = options.exporter
    ? new SimpleSpanProcessor(options.exporter)
    : // The exporter reads OTEL_EXPORTER_OTLP_* itself (endpoint + /v1/traces, headers, timeout).
      new BatchSpanProcessor(new OTLPTraceExporter());
  const sdk = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: options.serviceName ?? service }),
    spanProcessors: [processor],
  });
  sdk.register();
  provider = sdk;
  enabled = true;
  return stopTracing;
};

/** Flushes and unregisters the SDK (tests start and stop it more than once). */
export const stopTracing = async (): Promise<void> => {
  const sdk = provider;
  provider = undefined;
  enabled = false;
  if (!sdk) return;
  await sdk.shutdown().catch(() => undefined);
  trace.disable();
  otelContext.disable();
};

type HeaderSource = ReadonlyMap<string, Buffer | string> | undefined;

const getter = {
  keys: (carrier: ReadonlyMap<string, Buffer | string>) => [...carrier.keys()],
  get: (carrier: ReadonlyMap<string, Buffer | string>, key: string) => {
    const value = carrier.get(key);
    return value === undefined ? undefined : value.toString();
  },
};

/** The trace context a consumed record carries in its `traceparent` header (root context when none). */
export const contextFromHeaders = (headers: HeaderSource): Context =>
  headers?.has(TRACEPARENT) ? propagator.extract(ROOT_CONTEXT, headers, getter) : ROOT_CONTEXT;

/** `{ traceparent }` for the span in `ctx` (empty when there is none), ready to become record headers. */
export const traceHeaders = (ctx: Context): Record<string, string> => {
  const carrier: Record<string, string> = {};
  propagator.inject(ctx, carrier, {
    set: (target, key, value) => {
      target[key] = value;
    },
  });
  return carrier.traceparent ? { [TRACEPARENT]: carrier.traceparent } : {};
};

/** The trace id of the span in `ctx`, for log lines; undefined when tracing is off or there is no span. */
export const traceIdOf = (ctx: Context | undefined): string | undefined => {
  if (!enabled || !ctx) return undefined;
  const spanContext = trace.getSpanContext(ctx);
  return spanContext && trace.isSpanContextValid(spanContext) ? spanContext.traceId : undefined;
};

export interface StartedSpan {
  readonly span: Span;
  /** The context with this span active: parent of child spans, source of `traceHeaders`. */
  readonly context: Context;
}

/** Starts a span under `parent`; undefined when tracing is off (callers do nothing then). */
export const startSpan = (
  name: string,
  parent: Context | undefined,
  options: { kind?: SpanKind; attributes?: Attributes; links?: Link[] } = {},
): StartedSpan | undefined => {
  if (!enabled) return undefined;
  const base = parent ?? otelContext.active();
  const span = tracer().startSpan(name, options, base);
  return { span, context: trace.setSpan(base, span) };
};

/** Ends a span, marking it failed when `error` is given. */
export const endSpan = (started: StartedSpan | undefined, error?: unknown): void => {
  if (!started) return;
  if (error !== undefined) {
    started.span.recordException(error instanceof Error ? error : String(error));
    started.span.setStatus({
      code: SpanStatusCode.ERROR,
      message: String((error as Error)?.message ?? error),
    });
  }
  started.span.end();
};

/** A link to the span a record's headers point at (batch spans link every record they carry). */
export const linkFromHeaders = (headers: HeaderSource): Link | undefined => {
  if (!enabled || !headers?.has(TRACEPARENT)) return undefined;
  const spanContext = trace.getSpanContext(contextFromHeaders(headers));
  return spanContext ? { context: spanContext } : undefined;
};
