// GET /console/data: everything the operator console shows, from what the stages export (/ready, lag,
// /metrics.json) and the ledger's dead letters. The page and the tests read this same document.
import { z } from "zod";
import { PipelineStatus } from "./pipelineStatus.ts";

export const ThroughputPoint = z.object({ at: z.string(), per_second: z.number() });

/** One objective the alert rules (ops/prometheus/alerts.yml) hold the pipeline to, and where it stands. */
export const ConsoleObjective = z
  .object({
    id: z
      .string()
      .meta({ description: "The objective, e.g. accept_to_posted, consumer_lag, stage_ready, outbox_age" }),
    /** The stage, topic, reason... when the objective is judged for several (one row each). */
    subject: z.string().nullable(),
    name: z.string(),
    /** The alert rule that fires when it is breached for long enough. */
    alert: z.string(),
    threshold: z.string().meta({ description: "The alert rule's threshold, in words (e.g. ≤ 1 s)" }),
    state: z.enum(["ok", "breached", "not_measured"]),
    value: z.number().nullable().meta({ description: "The current value; null when not measured here" }),
    value_text: z.string().meta({ description: "The value in words, or why it is not measured here" }),
  })
  .meta({ id: "ConsoleObjective" });

export const ConsoleData = z
  .object({
    pipeline: PipelineStatus,
    objectives: z.array(ConsoleObjective),
    throughput: z.object({
      window_seconds: z.number(),
      /** Per stage, records per second between consecutive samples (oldest first). */
      series: z.array(z.object({ stage: z.string(), label: z.string(), points: z.array(ThroughputPoint) })),
    }),
    latency: z.object({
      window_seconds: z.number(),
      /** Transactions posted in the window (the histogram's count). */
      count: z.number().int(),
      p50_seconds: z.number().nullable(),
      p99_seconds: z.number().nullable(),
    }),
    dead_letters: z
      .object({
        total: z.number().int(),
        by_reason: z.array(z.object({ reason: z.string(), count: z.number().int() })),
        newest: z.array(
          z.object({ transaction_id: z.string(), reason: z.string(), recorded_at: z.string() }),
        ),
      })
      .nullable()
      .meta({ description: "From the ledger's dead_lettered rows; null while the ledger cannot be read" }),
    outbox: z
      .object({ backlog: z.number().int(), oldest_unpublished_seconds: z.number(), parked: z.number().int() })
      .nullable()
      .meta({ description: "As the ledger sink last sampled it; null when no sink answered" }),
    restarts: z.array(
      z.object({
        stage: z.string(),
        url: z.string(),
        pid: z.number().int().nullable(),
        started_at: z.string().nullable(),
        observed_at: z.string(),
      }),
    ),
  })
  .meta({ id: "ConsoleData" });

export type ConsoleData = z.infer<typeof ConsoleData>;
export type ConsoleObjective = z.infer<typeof ConsoleObjective>;
