// What a read of a stage's output topic says about its transactions. Each output names the input it
// came from and the transform run (attempt) that made it; the stage reports which runs it committed.
// - duplicate: an output key seen more than once;
// - aborted read: an output visible under read_committed whose run the stage saw fail (its transaction
//   was ended by someone else: a late EndTxn);
// - torn: a run of which only some outputs are visible (its transaction was cut in two).

export interface AuditedOutput {
  readonly key: string;
  /** The transform run that produced it (one per input record per attempt). */
  readonly run: number;
}

export interface TransactionAudit {
  readonly outputs: number;
  readonly distinct: number;
  readonly duplicates: number;
  readonly missing: number;
  readonly abortedReads: number;
  /** Runs with some but not all of their outputs visible: run → outputs visible. */
  readonly torn: ReadonlyMap<number, number>;
}

export const auditOutputs = (
  outputs: readonly AuditedOutput[],
  expectedKeys: readonly string[],
  outputsPerRun: number,
  committedRuns: ReadonlySet<number>,
): TransactionAudit => {
  const keys = new Set(outputs.map((output) => output.key));
  const perRun = new Map<number, number>();
  for (const output of outputs) perRun.set(output.run, (perRun.get(output.run) ?? 0) + 1);
  return {
    outputs: outputs.length,
    distinct: keys.size,
    duplicates: outputs.length - keys.size,
    missing: expectedKeys.filter((key) => !keys.has(key)).length,
    abortedReads: outputs.filter((output) => !committedRuns.has(output.run)).length,
    torn: new Map([...perRun].filter(([, visible]) => visible !== outputsPerRun)),
  };
};

export const describeAudit = (label: string, audit: TransactionAudit): string =>
  `${label}: ${audit.outputs} outputs, ${audit.distinct} distinct, ${audit.duplicates} duplicates, ${audit.missing} missing, ` +
  `${audit.abortedReads} from runs the stage saw fail, torn runs: ${
    audit.torn.size === 0 ? "none" : [...audit.torn].map(([run, n]) => `run ${run} (${n} visible)`).join(", ")
  }`;
