// The figures of each step and what they add up to: pure, so the table and the verdicts are unit-tested.
import type { Kind, Mix, Step } from "./Config.ts";

/** What one step measured. Rates are transactions per second; CPU is µs per transaction posted. */
export interface StepResult {
  readonly kind: Kind;
  /** Whose accounts the step's transactions moved (one run may run each step once per mix). */
  readonly mix: Mix;
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

/** The step with the highest posted rate among the sustained steps of a kind (of one mix, if named). */
export const bestSustained = (
  results: readonly StepResult[],
  kind: Kind,
  mix?: Mix,
): StepResult | undefined =>
  results
    .filter((r) => r.kind === kind && (mix === undefined || r.mix === mix) && sustained(r))
    .reduce<StepResult | undefined>(
      (best, r) => (!best || r.postedRate > best.postedRate ? r : best),
      undefined,
    );

/** What every other mix is measured against: the PaySim rows as they are. */
export const BASELINE_MIX: Mix = "spread";

/** Whether the run measured anything but the baseline: only then do the mix and its ratio show. */
export const comparesMixes = (results: readonly StepResult[]): boolean =>
  results.some((r) => r.mix !== BASELINE_MIX);

/** The mixes of a run, in the order they ran. */
export const mixesOf = (results: readonly StepResult[]): Mix[] => [...new Set(results.map((r) => r.mix))];

/**
 * A row's posted rate as a share of the baseline row of the same step (kind, batch size, offered rate).
 * Undefined for a baseline row, and where the baseline has no such row or posted nothing.
 */
export const postedVsBaseline = (results: readonly StepResult[], result: StepResult): number | undefined => {
  if (result.mix === BASELINE_MIX) return undefined;
  const base = results.find(
    (r) =>
      r.mix === BASELINE_MIX &&
      r.kind === result.kind &&
      r.batchSize === result.batchSize &&
      r.offered === result.offered,
  );
  return base && base.postedRate > 0 ? result.postedRate / base.postedRate : undefined;
};

/** A mix's highest sustained rate of a kind as a share of the baseline's (issue 33's hot-account goal). */
export const sustainedVsBaseline = (
  results: readonly StepResult[],
  kind: Kind,
  mix: Mix,
): number | undefined => {
  const best = bestSustained(results, kind, mix);
  const base = bestSustained(results, kind, BASELINE_MIX);
  return mix !== BASELINE_MIX && best && base ? best.postedRate / base.postedRate : undefined;
};

const fixed = (value: number, digits = 0) => value.toFixed(digits);

export const percent = (ratio: number | undefined): string =>
  ratio === undefined ? "" : `${fixed(ratio * 100)}%`;

export const renderTable = (results: readonly StepResult[]): string => {
  const mixes = comparesMixes(results);
  const header = [
    "kind",
    ...(mixes ? ["mix"] : []),
    "offered/s",
    "accepted/s",
    "posted/s",
    ...(mixes ? [`vs ${BASELINE_MIX}`] : []),
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
    ...(mixes ? [r.mix] : []),
    fixed(r.offered),
    fixed(r.acceptedRate),
    fixed(r.postedRate),
    ...(mixes ? [percent(postedVsBaseline(results, r))] : []),
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
      .map((cell, i) =>
        i === 0 || (mixes && i === 1) ? cell.padEnd(widths[i] as number) : cell.padStart(widths[i] as number),
      )
      .join("  ");
  return [line(header), ...rows.map(line)].join("\n");
};

/**
 * The summary under the table: the top sustained rate of each kind, and its cost. With several mixes, one
 * line per kind and mix, each other mix's top as a share of the baseline's.
 */
export const renderVerdict = (results: readonly StepResult[]): string => {
  const mixes = comparesMixes(results) ? mixesOf(results) : [undefined];
  return (["single", "batch"] as const)
    .filter((kind) => results.some((r) => r.kind === kind))
    .flatMap((kind) =>
      mixes
        .filter((mix) => results.some((r) => r.kind === kind && (mix === undefined || r.mix === mix)))
        .map((mix) => {
          const label = mix === undefined ? kind : `${kind} ${mix}`;
          const best = bestSustained(results, kind, mix);
          const share = mix === undefined ? undefined : sustainedVsBaseline(results, kind, mix);
          return best
            ? `${label}: highest sustained ${fixed(best.postedRate)} posted/s (offered ${fixed(best.offered)}), ` +
                `p99 accept→posted ${fixed(best.toPostedMs.p99)} ms, ${fixed(totalMicros(best))} µs CPU per transaction` +
                (share === undefined ? "" : `; ${percent(share)} of ${BASELINE_MIX}'s`)
            : `${label}: no step was sustained (p99 accept→posted under 1 s with the ledger keeping up)`;
        }),
    )
    .join("\n");
};
