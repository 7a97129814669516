// The overdraft limits the run set: no limited account ever below its limit, each debit of one decided
// by the rules (refused INSUFFICIENT_FUNDS exactly when it did not fit), the limits unchanged.
import {
  type Anomaly,
  type Invariant,
  invariant,
  type LimitedPosting,
  type Observations,
  type SentTransaction,
} from "./observations.ts";

/** The kinds that debit their own customer account (a limited one may refuse them). */
const DEBITS = new Set(["payment", "transfer", "cash_out", "debit"]);
const balanceKey = (ledgerAccount: string, currency: string) => `${ledgerAccount} ${currency}`;

/**
 * The balance a debit was decided against is one its account had during the deciding batch: the batch's
 * postings carry its time (`atMs`), and the balance then was the one after the account's last posting
 * before that time, or after one of the postings at that time (the batch's own, or an earlier batch's of
 * the same millisecond). 0 before the first posting.
 */
export const balancesAt = (postings: readonly LimitedPosting[], atMs: number): number[] => {
  let before = 0;
  const at: number[] = [];
  for (const p of postings) {
    if (p.createdAtMs < atMs) before = p.balanceAfterMinor;
    else if (p.createdAtMs === atMs) at.push(p.balanceAfterMinor);
  }
  return [before, ...at];
};

/**
 * The limited accounts, from the ledger's statements: no posting ever leaves one below minus its limit, the
 * limits the run set stay as set, every debit of one is posted or refused INSUFFICIENT_FUNDS (and then has no
 * posting), a refusal only when the debit did not fit the balance of its batch, and no account without a
 * limit is ever refused for funds.
 */
export const limitsInvariant = (o: Observations): Invariant => {
  const anomalies: Anomaly[] = [];
  const limitOf = new Map(o.limits.map((l) => [balanceKey(l.ledgerAccount, l.currency), l]));
  const limitedOf = (sent: SentTransaction) =>
    DEBITS.has(sent.type)
      ? limitOf.get(balanceKey(`customer:${sent.clientId}:${sent.accountId}`, sent.currency))
      : undefined;
  let postings = 0;
  let lowestHeadroom = Number.POSITIVE_INFINITY;
  for (const limit of o.limits) {
    const key = balanceKey(limit.ledgerAccount, limit.currency);
    if (limit.endMinor !== limit.setMinor || limit.endAtMs !== limit.setAtMs)
      anomalies.push({
        kind: "limit-outcome",
        id: key,
        detail: `limit set to ${limit.setMinor} before the load, ${limit.endMinor ?? "none"} at the end (changed ${limit.endAtMs === null ? "-" : new Date(limit.endAtMs).toISOString()})`,
      });
    if (limit.balanceMinor < -limit.setMinor)
      anomalies.push({
        kind: "overdraft",
        id: key,
        detail: `balance ${limit.balanceMinor} at the end, limit ${limit.setMinor}`,
      });
    for (const p of o.limitedPostings.get(key) ?? []) {
      postings += 1;
      lowestHeadroom = Math.min(lowestHeadroom, p.balanceAfterMinor + limit.setMinor);
      if (p.balanceAfterMinor < -limit.setMinor)
        anomalies.push({
          kind: "overdraft",
          id: p.transactionId,
          detail: `${key} #${p.seq}: balance after ${p.balanceAfterMinor}, below its limit ${limit.setMinor}`,
        });
    }
  }
  for (const finding of o.limitFindings)
    anomalies.push({ kind: "overdraft", detail: `ledger limits check: ${finding}` });

  let debits = 0;
  let posted = 0;
  let refused = 0;
  let refusedChecked = 0;
  const postedIds = new Set(
    [...o.limitedPostings.values()].flatMap((list) => list.map((p) => p.transactionId)),
  );
  for (const [id, sent] of o.sent) {
    const limit = limitedOf(sent);
    if (!limit) continue;
    const row = o.ledger.get(id);
    if (!row || (row.status !== "posted" && row.status !== "rejected")) continue;
    debits += 1;
    const wrong = (detail: string) =>
      anomalies.push({
        kind: "limit-outcome",
        id,
        detail: `${sent.type} of ${sent.amountMinor} from ${limit.ledgerAccount} (${sent.currency}, limit ${limit.setMinor}): ${detail}`,
      });
    if (row.status === "posted") {
      posted += 1;
      continue;
    }
    refused += 1;
    const reasons = row.reasons ?? [];
    if (reasons.length !== 1 || reasons[0] !== "INSUFFICIENT_FUNDS") {
      wrong(`refused ${reasons.join(", ") || "without a reason"}, not INSUFFICIENT_FUNDS`);
      continue;
    }
    if (postedIds.has(id)) wrong("refused, yet it has a posting");
    const event = o.ledgerRejections.get(id)?.events[0];
    if (!event) continue; // no event to date the decision: the events invariant names it
    refusedChecked += 1;
    const key = balanceKey(limit.ledgerAccount, limit.currency);
    const candidates = balancesAt(o.limitedPostings.get(key) ?? [], event.rejectedAtMs);
    if (candidates.every((balance) => balance - sent.amountMinor >= -limit.setMinor))
      wrong(
        `refused INSUFFICIENT_FUNDS at ${new Date(event.rejectedAtMs).toISOString()}, yet it fitted every balance the account had then (${candidates.join(", ")})`,
      );
  }
  for (const refusal of o.insufficientFunds) {
    if (refusal.debitAccount === null || !limitOf.has(balanceKey(refusal.debitAccount, refusal.currency)))
      anomalies.push({
        kind: "limit-outcome",
        id: refusal.id,
        detail: `refused INSUFFICIENT_FUNDS, but it debits ${refusal.debitAccount ?? "no customer account"} (${refusal.currency}), which has no limit`,
      });
  }
  return invariant(
    "no limited account ever below its limit; its debits posted or refused INSUFFICIENT_FUNDS for want of funds only",
    {
      limitedAccounts: o.limits.length,
      postings,
      debits,
      posted,
      refused,
      refusedChecked,
      lowestHeadroom: Number.isFinite(lowestHeadroom) ? lowestHeadroom : 0,
    },
    anomalies,
  );
};
