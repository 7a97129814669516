// The refunds the clients sent against the ledger's rules: what each one must be answered, and whether
// the ledger's outcomes per original and per refund keep to it.
import {
  type Anomaly,
  type Invariant,
  invariant,
  type Observations,
  type SentTransaction,
} from "./observations.ts";

/** The kinds a refund may give back (packages/domain REFUNDABLE_TYPES). */
const REFUNDABLE = new Set(["payment", "transfer", "cash_out", "debit"]);

/**
 * What the ledger must answer a refund, from what the client sent and its original's final status, by the
 * rules in docs/transaction-kinds.md taken in the sink's order: `must` when it has to be refused, with the
 * reasons allowed; otherwise it posts, or is refused REFUND_EXCEEDS_ORIGINAL only when other posted refunds
 * left too little of its original (checked against them by the caller).
 */
export const requiredRefusal = (
  refund: SentTransaction,
  original: SentTransaction | undefined,
  originalStatus: string | undefined,
): { readonly must: boolean; readonly reasons: readonly string[] } => {
  const must = (...reasons: string[]) => ({ must: true, reasons });
  if (!original || original.clientId !== refund.clientId) return must("ORIGINAL_NOT_FOUND");
  // Not posted: a rejected or dead-lettered original comes on another topic than the refund, so the
  // ledger may decide the refund before it holds the original at all.
  if (originalStatus !== "posted") return must("ORIGINAL_NOT_POSTED", "ORIGINAL_NOT_FOUND");
  if (!REFUNDABLE.has(original.type)) return must("ORIGINAL_NOT_REFUNDABLE");
  // Another account is another partition: the refund may be decided before its original is in the ledger.
  if (original.accountId !== refund.accountId) return must("REFUND_ACCOUNT_MISMATCH", "ORIGINAL_NOT_FOUND");
  if (original.currency !== refund.currency) return must("REFUND_CURRENCY_MISMATCH");
  if (refund.amountMinor > original.amountMinor) return must("REFUND_EXCEEDS_ORIGINAL");
  return { must: false, reasons: ["REFUND_EXCEEDS_ORIGINAL"] };
};

/** The refunds the clients sent, against the ledger: per original and per refund (from the outside). */
export const refundsInvariant = (o: Observations): Invariant => {
  const anomalies: Anomaly[] = [];
  const refunds = [...o.sent].filter(
    (entry): entry is [string, SentTransaction & { refund: NonNullable<SentTransaction["refund"]> }] =>
      entry[1].refund !== undefined,
  );
  // Per original: what its posted refunds gave back (the client's amounts; the ledger's for a posted
  // refund the client has no answer for, one whose 202 was lost).
  const postedOf = new Map<string, Map<string, number>>();
  const addPosted = (originalId: string, id: string, amount: number) =>
    postedOf.set(originalId, (postedOf.get(originalId) ?? new Map()).set(id, amount));
  for (const [id, sent] of refunds) {
    if (o.ledger.get(id)?.status === "posted") addPosted(sent.refund.originalId, id, sent.amountMinor);
  }
  const originals = new Set(refunds.map(([, sent]) => sent.refund.originalId));
  for (const originalId of originals)
    for (const posted of o.postedRefunds.get(originalId) ?? [])
      addPosted(originalId, posted.id, o.sent.get(posted.id)?.amountMinor ?? posted.amountMinor);
  const refundedOf = (originalId: string) =>
    [...(postedOf.get(originalId)?.values() ?? [])].reduce((a, b) => a + b, 0);

  for (const originalId of originals) {
    const original = o.sent.get(originalId);
    const refunded = refundedOf(originalId);
    if (original && refunded > original.amountMinor)
      anomalies.push({
        kind: "over-refund",
        id: originalId,
        detail: `posted refunds give back ${refunded} of ${original.amountMinor} (minor units)`,
      });
    const recorded = o.ledger.get(originalId)?.refundedMinor;
    if (recorded !== undefined && recorded !== refunded)
      anomalies.push({
        kind: "over-refund",
        id: originalId,
        detail: `refunded_minor is ${recorded}, its posted refunds sum to ${refunded}`,
      });
  }

  let posted = 0;
  let refused = 0;
  let refusedAsRequired = 0;
  let refusedForRoom = 0;
  for (const [id, sent] of refunds) {
    const row = o.ledger.get(id);
    if (!row || (row.status !== "posted" && row.status !== "rejected")) continue;
    const original = o.sent.get(sent.refund.originalId);
    const rule = requiredRefusal(sent, original, o.ledger.get(sent.refund.originalId)?.status);
    const wrong = (detail: string) =>
      anomalies.push({ kind: "refund-outcome", id, detail: `${sent.refund.intent} refund: ${detail}` });
    if (row.status === "posted") {
      posted += 1;
      if (rule.must) wrong(`posted, but the ledger's rules refuse it (${rule.reasons.join(" or ")})`);
      else if (row.originalId !== undefined && row.originalId !== sent.refund.originalId)
        wrong(`posted against ${row.originalId}, not its original ${sent.refund.originalId}`);
      continue;
    }
    refused += 1;
    const reasons = row.reasons ?? [];
    if (!reasons.some((reason) => rule.reasons.includes(reason))) {
      wrong(`refused ${reasons.join(", ") || "without a reason"}, not ${rule.reasons.join(" or ")}`);
    } else if (rule.must) {
      refusedAsRequired += 1;
    } else {
      // REFUND_EXCEEDS_ORIGINAL for a refund within its original: other posted refunds must have left
      // too little of it (refunds only ever add up, so what they left then is at least what is left now).
      const left = (original?.amountMinor ?? 0) - refundedOf(sent.refund.originalId);
      if (sent.amountMinor <= left)
        wrong(`refused REFUND_EXCEEDS_ORIGINAL, yet ${left} of its original is left for ${sent.amountMinor}`);
      else refusedForRoom += 1;
    }
  }
  const groups = new Set(
    refunds.flatMap(([, sent]) => (sent.refund.group === null ? [] : [sent.refund.group])),
  );
  return invariant(
    "posted refunds stay within their original; each refused one for its rule (client's record)",
    {
      refunds: refunds.length,
      posted,
      refused,
      refusedAsRequired,
      refusedForRoom,
      originals: originals.size,
      concurrentGroups: groups.size,
    },
    anomalies,
  );
};
