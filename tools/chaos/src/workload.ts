// The traffic mixes every kind (planWorkload): mostly payments, transfers between a client's own accounts,
// cash_in, cash_out, debit, and refunds of earlier accepted transactions: partial ones, full ones, some
// that must be refused (too large, of a cash_in, of another client's transaction, from another account or
// in another currency), and groups of refunds of one original sent at once that together exceed it. A
// refund is sent once its original's 202 arrived, naming it by the ledger id the 202 gave (or by the
// transaction_id its client chose). With several API clients, each transaction is sent by one of them.
import { planLimited } from "./limitedTraffic.ts";
import { type Random, weighted } from "./random.ts";
import {
  ACCOUNTS,
  CURRENCIES,
  type Currency,
  type Kind,
  LIMITED_ACCOUNTS,
  MERCHANTS,
  type PlannedRequest,
  REFUNDABLE,
  type RefundIntent,
  type Slot,
} from "./traffic.ts";

/** Share of each kind among the paced slots (a concurrent refund group is one slot). */
const KIND_WEIGHTS: readonly (readonly [Kind, number])[] = [
  ["payment", 0.58],
  ["transfer", 0.1],
  ["cash_in", 0.08],
  ["cash_out", 0.06],
  ["debit", 0.06],
  ["refund", 0.12],
];
const INTENT_WEIGHTS: readonly (readonly [RefundIntent, number])[] = [
  ["partial", 0.3],
  ["full", 0.12],
  ["concurrent", 0.16],
  ["too-large", 0.1],
  ["of-cash-in", 0.08],
  ["other-client", 0.08],
  ["other-account", 0.08],
  ["other-currency", 0.08],
];
/** Share of transactions (other than refunds) named by a transaction_id their client chose. */
const CHOSEN_ID_SHARE = 0.1;
/** A refund's original is one of the slots this many back: recent, so its 202 has usually arrived. */
const ORIGINAL_MIN_BACK = 20;
const ORIGINAL_MAX_BACK = 400;
/** Share of the paced slots (after the funding) that move a limited account. */
const LIMITED_SHARE = 0.08;

const drawAmount = (random: Random, currency: Currency): number =>
  currency === "JPY" ? random.int(1, 50_000) : random.int(1, 2_000) * 100 + random.int(0, 99);

/** A version-4-shaped UUID from the seeded generator (a client-chosen transaction_id). */
const seededUuid = (random: Random): string => {
  const hex = Array.from({ length: 32 }, () => random.int(0, 15).toString(16));
  hex[12] = "4";
  hex[16] = "89ab"[random.int(0, 3)] as string;
  const h = hex.join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

interface Candidate {
  readonly slot: number;
  readonly request: PlannedRequest;
  /** What refunds planned so far would give back of it, if all were posted. */
  planned: number;
  /** No more refunds within it are planned (fully refunded, or a concurrent group's). */
  closed: boolean;
}

export interface WorkloadOptions {
  readonly total: number;
  readonly clients: number;
  readonly random: Random;
  readonly seed: number;
  readonly resendProbability: number;
}

/**
 * The whole run's traffic, drawn up front from the seeded generator: the same seed plans the same
 * requests. A refund slot with no fitting original in its window (the run's first slots) is a payment.
 */
export const planWorkload = (options: WorkloadOptions): Slot[] => {
  const { random } = options;
  const slots: Slot[] = [];
  const refundable: Candidate[] = [];
  const cashIns: Candidate[] = [];
  let groups = 0;
  const recent = (pool: readonly Candidate[], slot: number, fits: (c: Candidate) => boolean) => {
    const found: Candidate[] = [];
    for (let i = pool.length - 1; i >= 0; i--) {
      const candidate = pool[i] as Candidate;
      if (candidate.slot < slot - ORIGINAL_MAX_BACK) break;
      if (candidate.slot <= slot - ORIGINAL_MIN_BACK && fits(candidate)) found.push(candidate);
    }
    return found.length === 0 ? undefined : random.pick(found);
  };
  const otherAccount = (account: string) => {
    const others = ACCOUNTS.filter((a) => a !== account);
    return random.pick(others);
  };
  // The limited accounts' funding first: one cash_in each, per client.
  const funding = Array.from({ length: options.clients }, (_, client) =>
    LIMITED_ACCOUNTS.map((account) => ({ client, account })),
  ).flat();

  for (let slot = 0; slot < options.total; slot++) {
    const key = `chaos-${options.seed}-${slot}`;
    const resend = () => random.chance(options.resendProbability);
    const fund = funding[slot];
    if (fund) {
      slots.push([
        {
          key,
          idBy: "idempotency-key",
          client: fund.client,
          type: "cash_in",
          accountId: fund.account.accountId,
          currency: fund.account.currency,
          amountMinor: fund.account.fundingMinor,
          limited: "funding",
          resend: resend(),
        },
      ]);
      continue;
    }
    if (random.chance(LIMITED_SHARE)) {
      slots.push(planLimited(random, options.clients, key, resend));
      continue;
    }
    const client = options.clients > 1 ? random.int(0, options.clients - 1) : 0;
    const kind = weighted(random, KIND_WEIGHTS);

    if (kind === "refund") {
      const intent = weighted(random, INTENT_WEIGHTS);
      const planned = planRefunds(intent, slot, key, client);
      if (planned) {
        slots.push(planned);
        continue;
      }
    }
    const type: Kind = kind === "refund" ? "payment" : kind;
    const currency = random.pick(CURRENCIES);
    const accountId = random.pick(ACCOUNTS);
    const chosen = random.chance(CHOSEN_ID_SHARE);
    const request: PlannedRequest = {
      key: chosen ? seededUuid(random) : key,
      idBy: chosen ? "transaction-id" : "idempotency-key",
      client,
      type,
      accountId,
      currency,
      amountMinor: drawAmount(random, currency),
      ...(type === "payment" || random.chance(0.3) ? { merchantName: random.pick(MERCHANTS) } : {}),
      ...(type === "transfer" ? { counterpartyAccountId: otherAccount(accountId) } : {}),
      resend: resend(),
    };
    slots.push([request]);
    const candidate = { slot, request, planned: 0, closed: false };
    if (REFUNDABLE.includes(type)) refundable.push(candidate);
    if (type === "cash_in") cashIns.push(candidate);
  }
  return slots;

  function planRefunds(intent: RefundIntent, slot: number, key: string, client: number): Slot | undefined {
    const own = (c: Candidate) => c.request.client === client;
    const original =
      intent === "of-cash-in"
        ? recent(cashIns, slot, own)
        : intent === "other-client"
          ? options.clients > 1
            ? recent(refundable, slot, (c) => !own(c))
            : undefined
          : intent === "full" || intent === "concurrent"
            ? recent(refundable, slot, (c) => own(c) && c.planned === 0 && !c.closed)
            : intent === "partial"
              ? recent(refundable, slot, (c) => own(c) && !c.closed && c.planned < c.request.amountMinor)
              : recent(refundable, slot, own);
    if (!original) return undefined;
    const o = original.request;
    const namedBy = o.idBy === "transaction-id" && random.chance(0.5) ? "chosen-id" : "ledger-id";
    const refund = (
      amountMinor: number,
      suffix: string,
      group: number | null,
      changes: Partial<PlannedRequest> = {},
    ): PlannedRequest => ({
      key: `${key}${suffix}`,
      idBy: "idempotency-key",
      client,
      type: "refund",
      accountId: o.accountId,
      currency: o.currency,
      amountMinor,
      ...(random.chance(0.3) ? { merchantName: random.pick(MERCHANTS) } : {}),
      refund: { originalKey: o.key, namedBy, intent, group },
      resend: random.chance(options.resendProbability),
      ...changes,
    });
    switch (intent) {
      case "partial": {
        const left = o.amountMinor - original.planned;
        const amount = left <= 1 ? left : random.int(1, left - 1);
        original.planned += amount;
        if (original.planned >= o.amountMinor) original.closed = true;
        return [refund(amount, "", null)];
      }
      case "full":
        original.planned = o.amountMinor;
        original.closed = true;
        return [refund(o.amountMinor, "", null)];
      case "concurrent": {
        // Each more than 1/k of the original and at most all of it: together more than it.
        const k = random.int(2, 3);
        const group = groups++;
        original.closed = true;
        return Array.from({ length: k }, (_, n) =>
          refund(random.int(Math.floor(o.amountMinor / k) + 1, o.amountMinor), `-${n}`, group),
        );
      }
      case "too-large":
        return [refund(o.amountMinor + random.int(1, o.amountMinor), "", null)];
      case "of-cash-in":
      case "other-client":
        return [refund(random.int(1, o.amountMinor), "", null)];
      case "other-account":
        return [refund(random.int(1, o.amountMinor), "", null, { accountId: otherAccount(o.accountId) })];
      case "other-currency": {
        const currency = random.pick(CURRENCIES.filter((c) => c !== o.currency));
        return [refund(random.int(1, Math.min(o.amountMinor, 50_000)), "", null, { currency })];
      }
    }
  }
};
