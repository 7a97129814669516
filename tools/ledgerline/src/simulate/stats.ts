// Counters and latency percentiles for the simulator's live line and summary. Pure.
export const percentile = (sorted: readonly number[], p: number): number => {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
};

export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
}

export const summarise = (values: readonly number[]): LatencySummary => {
  const sorted = [...values].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length > 0 ? sorted[sorted.length - 1]! : Number.NaN,
  };
};

export const formatMs = (ms: number): string =>
  Number.isNaN(ms) ? "-" : ms >= 1000 ? `${(ms / 1000).toFixed(2)}s` : `${Math.round(ms)}ms`;

/** "500/s" → 500; "0" or "max" → unlimited (0). */
export const parseRate = (text: string): number | undefined => {
  if (text === "max") return 0;
  const match = /^(\d+(?:\.\d+)?)\s*(?:\/s)?$/.exec(text.trim());
  return match ? Number(match[1]) : undefined;
};

/** "60s", "2m", "500ms", "1h" → milliseconds. */
export const parseDuration = (text: string): number | undefined => {
  const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h)$/.exec(text.trim());
  if (!match) return undefined;
  const unit = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[match[2] as "ms" | "s" | "m" | "h"];
  return Number(match[1]) * unit;
};
