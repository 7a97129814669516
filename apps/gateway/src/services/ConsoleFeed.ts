// GET /console/data's inputs: every SAMPLE_MS (once someone has opened the console) it reads each stage
// instance's /metrics.json and the gateway's own metrics, keeps WINDOW_MS of samples, and notes restarts
// seen on /ready. Dead letters come from the ledger. The arithmetic is in ../console/consoleView.ts.
import type { ConsoleData } from "@ledgerline/contracts";
import type { DeadLetterSummary } from "@ledgerline/ledger-db";
import { metricsSnapshot } from "@ledgerline/observability";
import { Context, Effect, Layer } from "effect";
import { GatewayConfig } from "../Config.ts";
import {
  detectRestarts,
  latencyOver,
  type MetricJson,
  outboxOf,
  type Restart,
  readingOf,
  type Sample,
  type SourceReading,
  throughputSeries,
} from "../console/consoleView.ts";
import { LedgerReads } from "./LedgerReads.ts";
import { PipelineStatus } from "./PipelineStatus.ts";

const SAMPLE_MS = 2_000;
const WINDOW_MS = 5 * 60_000;
const DEAD_LETTERS_CACHE_MS = 5_000;
const RESTARTS_KEPT = 20;

export class ConsoleFeed extends Context.Service<
  ConsoleFeed,
  { readonly data: () => Promise<ConsoleData> }
>()("ledgerline/gateway/ConsoleFeed") {
  static readonly layer = Layer.effect(
    ConsoleFeed,
    Effect.gen(function* () {
      const { settings } = yield* GatewayConfig;
      const pipeline = yield* PipelineStatus;
      const ledger = yield* LedgerReads;

      const readMetrics = async (url: string): Promise<readonly MetricJson[] | null> => {
        try {
          const response = await fetch(new URL("/metrics.json", url), {
            signal: AbortSignal.timeout(settings.readyTimeoutMs),
          });
          return response.ok ? ((await response.json()) as MetricJson[]) : null;
        } catch {
          return null;
        }
      };

      let samples: Sample[] = [];
      let restarts: Restart[] = [];
      let seen = new Map<string, { pid?: number; started_at?: string }>();
      let sampling: Promise<void> | undefined;
      const sample = async () => {
        const [own, ...others] = await Promise.all([
          metricsSnapshot() satisfies Promise<readonly MetricJson[]>,
          ...settings.stageEndpoints.map((e) => readMetrics(e.url)),
        ]);
        const sources = new Map<string, SourceReading>([["gateway", readingOf(own, false)]]);
        settings.stageEndpoints.forEach((endpoint, i) => {
          const snapshot = others[i];
          if (snapshot) sources.set(endpoint.url, readingOf(snapshot, endpoint.stage === "ledger-sink"));
        });
        const now = Date.now();
        samples = [...samples.filter((s) => now - s.at <= WINDOW_MS), { at: now, sources }];
        const found = detectRestarts(seen, await pipeline.report(), new Date(now));
        seen = found.seen;
        restarts = [...found.restarts.reverse(), ...restarts].slice(0, RESTARTS_KEPT);
      };
      const sampleOnce = () => {
        sampling ??= sample().finally(() => {
          sampling = undefined;
        });
        return sampling;
      };

      // Sampling starts with the first request and stops with the gateway.
      let timer: NodeJS.Timeout | undefined;
      yield* Effect.addFinalizer(() => Effect.sync(() => clearInterval(timer)));

      let deadLetters: { at: number; value: Promise<DeadLetterSummary | null> } | undefined;
      const deadLetterSummary = () => {
        if (!deadLetters || Date.now() - deadLetters.at > DEAD_LETTERS_CACHE_MS)
          deadLetters = {
            at: Date.now(),
            value: Effect.runPromise(ledger.deadLetters.pipe(Effect.catch(() => Effect.succeed(null)))),
          };
        return deadLetters.value;
      };

      return ConsoleFeed.of({
        data: async () => {
          if (!timer) {
            timer = setInterval(() => void sampleOnce().catch(() => undefined), SAMPLE_MS);
            timer.unref();
            await sampleOnce();
          }
          const [status, dlq] = await Promise.all([pipeline.report(), deadLetterSummary()]);
          const window = samples.length > 1 ? ((samples.at(-1)?.at ?? 0) - (samples[0]?.at ?? 0)) / 1_000 : 0;
          return {
            pipeline: status,
            throughput: { window_seconds: Math.round(window), series: throughputSeries(samples) },
            latency: { window_seconds: Math.round(window), ...latencyOver(samples) },
            dead_letters: dlq && {
              total: dlq.byReason.reduce((sum, r) => sum + r.count, 0),
              by_reason: [...dlq.byReason],
              newest: [...dlq.newest],
            },
            outbox: outboxOf(samples.at(-1)),
            restarts,
          };
        },
      });
    }),
  );
}
