// What the supervisor exports on its own /metrics (SUPERVISOR_METRICS_PORT): every restart of every app
// instance, by how it exited, and the backoff it waits before the next start. An app that dies before
// Prometheus ever scrapes it (a fatal fault at startup) is invisible to process_start_time_seconds, but
// not to these (ops/prometheus/alerts.yml: LedgerlineSupervisorCrashLoop).
import { metrics } from "@ledgerline/observability";
import type { AppInstance } from "./Config.ts";

/** How an app exited, folded into a bounded label. exit_1 is runService's fatal fault (its log has the
 *  fix); sigkill is the OOM killer or an operator; signal any other (SIGSEGV, SIGABRT, SIGTERM...). */
export const EXIT_REASONS = ["exit_0", "exit_1", "exit_other", "sigkill", "signal"] as const;
export type ExitReason = (typeof EXIT_REASONS)[number];

export const exitReason = (exit: {
  readonly code: number | null;
  readonly signal: string | null;
}): ExitReason =>
  exit.signal === "SIGKILL"
    ? "sigkill"
    : exit.signal
      ? "signal"
      : exit.code === 0
        ? "exit_0"
        : exit.code === 1
          ? "exit_1"
          : "exit_other";

/** The metrics of one app instance. Every reason's series exists at 0 from the start, so that
 *  increase() counts the very first restart (it cannot see a series' first sample as an increase). */
export const instanceMetrics = (instance: AppInstance) => {
  const labels = { stage: instance.app, stage_instance: instance.instance };
  for (const reason of EXIT_REASONS) metrics.supervisorRestarts.inc({ ...labels, reason }, 0);
  metrics.supervisorBackoff.set(labels, 0);
  return {
    started: () => metrics.supervisorBackoff.set(labels, 0),
    restarting: (exit: { readonly code: number | null; readonly signal: string | null }, delayMs: number) => {
      metrics.supervisorRestarts.inc({ ...labels, reason: exitReason(exit) });
      metrics.supervisorBackoff.set(labels, delayMs / 1_000);
    },
  };
};
