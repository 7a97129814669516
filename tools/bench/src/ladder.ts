// The figures of each step and what they add up to: pure, so the table and the verdicts are unit-tested.
import type { Kind, Step } from "./Config.ts";

/** What one step measured. Rates are transactions per second; CPU is µs per transaction posted. */
export interface StepResult {
  readonly kind: Kind;
  readonly batchSize: number;
  readonly offered: number;
  readonly seconds: number;
  readonly accepted: number;
  readonly acceptedRate: number;
  /** The step's transactions per second, from the first accepted until the last was in the ledger. */
  readonly postedRate: number;
  /** From the end of the load until the last accepted transaction was in the ledger. */
  readonly drainMs: number;
  readonly drained: boolean;
  /** Requests k6 could not start on time (its VUs were all busy) and requests that failed. */
  readonly dropped: number;
  readonly failed: number;
  readonly acceptMs: { readonly p50: number; readonly p99: number };
  readonly toPostedMs: { readonly p50: number; readonly p99: number };
  /** CPU µs per posted transaction, by process, over the load and the drain. */
  readonly cpuMicros: Readonly<Record<string, number>>;
  /** The load tool's own CPU µs per transaction (not part of the pipeline's total). */
  readonly loadToolMicros: number;
  /** With --statements: where Postgres spent its time, per posted transaction. */
  readonly statements?: readonly {
    readonly query: string;
    readonly calls: number;
    readonly micros: number;
  }[];
}

/** The pipeline's processes, in the order of the table. The registry is there to show it costs nothing. */
export const PROCESSES = ["gateway", "processor", "ledger-sink", "kafka", "postgres", "registry"] as const;

export const offeredRate = (step: Step): number => step.requestsPerSecond * step.batchSize;

export const totalMicros = (result: StepResult): number =>
  Object.values(result.cpuMicros).reduce((sum, micros) => sum + micros, 0);

/**
 * Sustained: the gateway accepted what was offered (97%), everything accepted reached the ledger, and p99
 * accept→posted stayed under 1 s (so the ledger kept up while the load ran: no backlog built up).
 */
export const sustained = (result: StepResult): boolean =>
  result.drained && result.acceptedRate >= 0.97 * result.offered && result.toPostedMs.p99 < 1_000;

/** The step with the highest posted rate among the sustained steps of a kind. */
export const bestSustained = (results: readonly StepResult[], kind: Kind): StepResult | undefined =>
  results
    .filter((r) => r.kind === kind && sustained(r))
    .reduce<StepResult | undefined>(
      (best, r) => (!best || r.postedRate > best.postedRate ? r : best),
      undefined,
    );

const fixed = (value: number, digits = 0) => value.toFixed(digits);

export const renderTable = (results: readonly StepResult[]): string => {
  const header = [
    "kind",
    "offered/s",
    "accepted/s",
    "posted/s",
    "drain s",
    "accept p50/p99 ms",
    "→posted p50/p99 ms",
    ...PROCESSES.map((p) => `${p} µs`),
    "total µs",
    "k6 µs",
    "sustained",
  ];
  const rows = results.map((r) => [
    r.kind === "batch" ? `batch×${r.batchSize}` : "single",
    fixed(r.offered),
    fixed(r.acceptedRate),
    fixed(r.postedRate),
    r.drained ? fixed(r.drainMs / 1_000, 1) : `>${fixed(r.drainMs / 1_000)}`,
    `${fixed(r.acceptMs.p50, 1)} / ${fixed(r.acceptMs.p99, 1)}`,
    `${fixed(r.toPostedMs.p50)} / ${fixed(r.toPostedMs.p99)}`,
    ...PROCESSES.map((p) => fixed(r.cpuMicros[p] ?? 0)),
    fixed(totalMicros(r)),
    fixed(r.loadToolMicros),
    sustained(r) ? "yes" : "no",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (i === 0 ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number)))
      .join("  ");
  return [line(header), ...rows.map(line)].join("\n");
};

/** The summary under the table: the top sustained rate of each kind, and its cost. */
export const renderVerdict = (results: readonly StepResult[]): string =>
  (["single", "batch"] as const)
    .filter((kind) => results.some((r) => r.kind === kind))
    .map((kind) => {
      const best = bestSustained(results, kind);
      return best
        ? `${kind}: highest sustained ${fixed(best.postedRate)} posted/s (offered ${fixed(best.offered)}), ` +
            `p99 accept→posted ${fixed(best.toPostedMs.p99)} ms, ${fixed(totalMicros(best))} µs CPU per transaction`
        : `${kind}: no step was sustained (p99 accept→posted under 1 s with the ledger keeping up)`;
    })
    .join("\n");
