// May this batch be committed? Kafka checks only the generation a transactional offset commit carries,
// not whether the partition is the committer's. @platformatic/kafka stamps a record with the consumer's
// generation when the fetch response arrives, and sets the generation at JoinGroup but the assignment at
// SyncGroup. So a fetch sent before a rebalance can deliver records of a partition that just moved to
// another member, stamped with the new generation: the broker would accept their offsets and both
// members would emit outputs for them. Kafka's Java client drops such fetches on revocation; this is
// the same rule, checked against the assignment the last `consumer:group:join` reported.

/** What the consumer's last `consumer:group:join` said: its generation and the partitions it assigned us. */
export interface Membership {
  readonly generation: number;
  /** "topic:partition" keys. */
  readonly partitions: ReadonlySet<string>;
}

export interface RecordOrigin {
  readonly topic: string;
  readonly partition: number;
  /** The generation the record was stamped with when its fetch response arrived. */
  readonly generation: number;
}

export type Ownership = { readonly _tag: "Owned" } | { readonly _tag: "NotOwned"; readonly reason: string };

/** `generation`: the consumer's, for a join event that does not carry one. */
export const membershipOf = (
  event: {
    readonly generationId?: number | undefined;
    readonly assignments?:
      | readonly { readonly topic: string; readonly partitions: readonly number[] }[]
      | null;
  },
  generation: number,
): Membership => ({
  generation: event.generationId ?? generation,
  partitions: new Set((event.assignments ?? []).flatMap((a) => a.partitions.map((p) => `${a.topic}:${p}`))),
});

export const batchOwnership = (
  membership: Membership | undefined,
  consumerGeneration: number,
  batch: readonly RecordOrigin[],
): Ownership => {
  if (!membership) return { _tag: "NotOwned", reason: "no group join reported yet" };
  if (consumerGeneration !== membership.generation)
    return {
      _tag: "NotOwned",
      reason: `a rebalance is under way (generation ${consumerGeneration} joined, the assignment is of ${membership.generation})`,
    };
  for (const record of batch) {
    const key = `${record.topic}:${record.partition}`;
    if (record.generation !== membership.generation)
      return {
        _tag: "NotOwned",
        reason: `${key} was read in generation ${record.generation}, the group is at ${membership.generation}`,
      };
    if (!membership.partitions.has(key))
      return {
        _tag: "NotOwned",
        reason: `${key} is not assigned to us in generation ${membership.generation}`,
      };
  }
  return { _tag: "Owned" };
};
