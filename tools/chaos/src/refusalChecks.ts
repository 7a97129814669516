// The ledger's refusals: which reasons are the ledger's own, and each refusal on transactions.rejected
// once (and a refused transaction never on transactions.posted).
import { type Anomaly, type Invariant, invariant, type Observations } from "./observations.ts";

/** The reasons the ledger itself refuses a validated transaction with (the processor never uses them). */
export const LEDGER_REFUSALS: ReadonlySet<string> = new Set([
  "ORIGINAL_NOT_FOUND",
  "ORIGINAL_NOT_POSTED",
  "ORIGINAL_NOT_REFUNDABLE",
  "REFUND_ACCOUNT_MISMATCH",
  "REFUND_CURRENCY_MISMATCH",
  "REFUND_EXCEEDS_ORIGINAL",
  "COUNTERPARTY_INVALID",
  "INSUFFICIENT_FUNDS",
]);

/**
 * Each refusal by the ledger is on transactions.rejected once (distinct events: the same event published
 * twice by a relay crash is counted, not an anomaly), a posted transaction never is, and a refused one is
 * never on transactions.posted.
 */
export const refusalEventsInvariant = (o: Observations): Invariant => {
  const anomalies: Anomaly[] = [];
  let refusals = 0;
  let records = 0;
  let events = 0;
  for (const [id, row] of o.ledger) {
    const published = o.ledgerRejections.get(id);
    records += published?.records ?? 0;
    events += published?.events.length ?? 0;
    const byLedger = row.status === "rejected" && (row.reasons ?? []).some((r) => LEDGER_REFUSALS.has(r));
    if (!byLedger) {
      if (published)
        anomalies.push({
          kind: "duplicate",
          id,
          detail: `${row.status} in the ledger, yet refused on transactions.rejected (${published.events.map((e) => e.reasons.join("+")).join(", ")})`,
        });
      continue;
    }
    refusals += 1;
    const n = published?.events.length ?? 0;
    if (n === 0)
      anomalies.push({
        kind: "unseen",
        id,
        detail: `refused ${(row.reasons ?? []).join(", ")} in the ledger, not on transactions.rejected`,
      });
    if (n > 1) anomalies.push({ kind: "duplicate", id, detail: `${n} distinct refusal events` });
    if ((o.postedEvents.get(id)?.length ?? 0) > 0)
      anomalies.push({ kind: "duplicate", id, detail: "refused, yet on transactions.posted" });
  }
  return invariant(
    "every refusal by the ledger appears on transactions.rejected once, and only those",
    { refusals, events, duplicateRecords: records - events },
    anomalies,
  );
};
