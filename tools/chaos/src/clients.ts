// Careful upstream clients: many at once, at a target rate, over several accounts and currencies, each
// transaction with its own Idempotency-Key (a few name themselves by a transaction_id they chose instead).
// A 5xx, a 429, a timeout or a refused connection is retried with the same key and backoff; a few keys are
// sent again after their 202, as by a client that lost the answer. Every 202 is recorded: the key, the
// transaction id, when, and how long it took.
//
// The traffic mixes every kind (planWorkload): mostly payments, transfers between a client's own accounts,
// cash_in, cash_out, debit, and refunds of earlier accepted transactions: partial ones, full ones, some
// that must be refused (too large, of a cash_in, of another client's transaction, from another account or
// in another currency), and groups of refunds of one original sent at once that together exceed it. A
// refund is sent once its original's 202 arrived, naming it by the ledger id the 202 gave (or by the
// transaction_id its client chose). With several API clients, each transaction is sent by one of them.
import type { Random } from "./random.ts";

export const KINDS = ["payment", "transfer", "cash_in", "cash_out", "debit", "refund"] as const;
export type Kind = (typeof KINDS)[number];

/** The kinds a refund may give back (packages/domain REFUNDABLE_TYPES). */
export const REFUNDABLE: readonly Kind[] = ["payment", "transfer", "cash_out", "debit"];

/** What a refund was sent to try; the ledger's rules, not this, decide what it must answer (checker.ts). */
export const REFUND_INTENTS = [
  /** Part of what is left of an original (an original may get several). */
  "partial",
  /** All of an untouched original. */
  "full",
  /** One of 2-3 refunds of one untouched original sent at once, each within it, together more than it. */
  "concurrent",
  /** More than the original's whole amount: REFUND_EXCEEDS_ORIGINAL. */
  "too-large",
  /** Of a cash_in: ORIGINAL_NOT_REFUNDABLE. */
  "of-cash-in",
  /** Of another client's transaction: ORIGINAL_NOT_FOUND (no client sees another's ids). */
  "other-client",
  /** From another account than the original's: REFUND_ACCOUNT_MISMATCH. */
  "other-account",
  /** In another currency than the original's: REFUND_CURRENCY_MISMATCH. */
  "other-currency",
] as const;
export type RefundIntent = (typeof REFUND_INTENTS)[number];

/** What a request of a limited account's traffic was sent to do (the ledger's rules decide the outcome). */
export const LIMITED_INTENTS = [
  /** The cash_in that funds it at the start. */
  "funding",
  /** A cash_in, or a transfer into it from an account without a limit, over the run. */
  "credit",
  /** One debit of it (payment, transfer, cash_out or debit): posted if it fits, else INSUFFICIENT_FUNDS. */
  "debit",
  /** One of 2-4 debits of it sent at once. */
  "burst",
] as const;
export type LimitedIntent = (typeof LIMITED_INTENTS)[number];

/** An account each client gives an overdraft limit before the load (the same ids, a ledger account each). */
export interface LimitedAccount {
  readonly accountId: string;
  readonly currency: Currency;
  /** How far below zero it may go, in the currency's minor units. */
  readonly limitMinor: number;
  /** What the cash_in at the start puts on it. */
  readonly fundingMinor: number;
}

export const LIMITED_ACCOUNTS: readonly LimitedAccount[] = [
  { accountId: "ACC-LIM-0", currency: "USD", limitMinor: 0, fundingMinor: 40_000 },
  { accountId: "ACC-LIM-1", currency: "USD", limitMinor: 25_000, fundingMinor: 15_000 },
  { accountId: "ACC-LIM-2", currency: "EUR", limitMinor: 10_000, fundingMinor: 30_000 },
];

/** A limit the run set, as the gateway answered the PUT. */
export interface LimitSet {
  readonly clientId: string;
  readonly accountId: string;
  readonly currency: string;
  readonly ledgerAccount: string;
  readonly limitMinor: number;
  /** limit_updated_at as answered (epoch ms): the limit must still be this one at the end. */
  readonly updatedAtMs: number;
}

export interface ApiClient {
  readonly clientId: string;
  readonly apiKey: string;
}

export interface PlannedRefund {
  /** The original's key (its planned request, sent earlier). */
  readonly originalKey: string;
  /** Names the original by the ledger id its 202 gave, or by the transaction_id its client chose. */
  readonly namedBy: "ledger-id" | "chosen-id";
  readonly intent: RefundIntent;
  /** Refunds of one original sent at once share a group number; null for a refund sent alone. */
  readonly group: number | null;
}

export interface PlannedRequest {
  /** The Idempotency-Key, or (idBy "transaction-id") the transaction_id the client chose. */
  readonly key: string;
  readonly idBy: "idempotency-key" | "transaction-id";
  /** Index into the API clients. */
  readonly client: number;
  readonly type: Kind;
  readonly accountId: string;
  readonly currency: Currency;
  /** In the currency's minor units (JPY has none: yen). */
  readonly amountMinor: number;
  readonly merchantName?: string;
  readonly counterpartyAccountId?: string;
  readonly refund?: PlannedRefund;
  /** Traffic of a limited account: what it was sent to do (a transfer into one is a credit). */
  readonly limited?: LimitedIntent;
  /** Sent again after its 202, as by a client that lost the answer. */
  readonly resend: boolean;
}

/** One paced step of the load: one request, or a group of refunds of one original sent at once. */
export type Slot = readonly PlannedRequest[];

export interface Accept {
  readonly key: string;
  readonly transactionId: string;
  /** When the 202 arrived (ms since the run's start) and how long the request took. */
  readonly atMs: number;
  readonly latencyMs: number;
}

/** What a client sent under a key, with the ids it learned: the checker's record of the traffic. */
export interface SentRecord {
  readonly key: string;
  readonly clientId: string;
  readonly type: Kind;
  readonly accountId: string;
  readonly currency: string;
  readonly amountMinor: number;
  readonly counterpartyAccountId?: string;
  /** A refund: its original's ledger id (from the original's 202), what it tried, its group. */
  readonly refund?: {
    readonly originalId: string;
    readonly intent: RefundIntent;
    readonly group: number | null;
  };
  /** Traffic of a limited account: what it was sent to do. */
  readonly limited?: LimitedIntent;
}

export interface ClientHistory {
  readonly accepts: Accept[];
  /** Key → every transaction id it was answered with (a resend must get the same one). */
  readonly answered: Map<string, string[]>;
  /** Key → what was sent under it (every request sent, answered or not). */
  readonly sent: Map<string, SentRecord>;
  retries: number;
  resent: number;
  /** Requests that never got a 202 before the clients stopped (their outcome is unknown). */
  abandoned: number;
  /** Refunds never sent: their original never got a 202. */
  skippedRefunds: number;
  /** Answers by status code (retried ones included). */
  readonly statuses: Map<number | "error", number>;
}

export interface LoadOptions {
  readonly gatewayUrl: string;
  /** The API clients the traffic is spread over (at least one). */
  readonly clients: readonly ApiClient[];
  readonly ratePerSecond: number;
  readonly durationMs: number;
  readonly concurrency: number;
  readonly resendProbability: number;
  readonly random: Random;
  /** ms since the run's start. */
  readonly clock: () => number;
  readonly seed: number;
}

const ACCOUNTS = Array.from({ length: 25 }, (_, i) => `ACC-${String(1000 + i)}`);
const CURRENCIES = ["USD", "USD", "USD", "EUR", "GBP", "JPY"] as const;
type Currency = (typeof CURRENCIES)[number];
const MERCHANTS = ["Chicago Retail Hub", "Amazon Mktp", "Corner Shop", "City Transit", "Cafe Nero"];

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
const LIMITED_WEIGHTS: readonly (readonly ["cash_in" | "transfer-in" | "debit" | "burst", number])[] = [
  ["cash_in", 0.14],
  ["transfer-in", 0.1],
  ["debit", 0.6],
  ["burst", 0.16],
];
const DEBIT_KINDS: readonly Kind[] = ["payment", "transfer", "cash_out", "debit"];

const weighted = <T>(random: Random, weights: readonly (readonly [T, number])[]): T => {
  let roll = random.next() * weights.reduce((sum, [, w]) => sum + w, 0);
  for (const [value, weight] of weights) {
    roll -= weight;
    if (roll < 0) return value;
  }
  return (weights[weights.length - 1] as readonly [T, number])[0];
};

const minorDigits = (currency: string) => (currency === "JPY" ? 0 : 2);

/** Minor units → the decimal string the API takes ("12.05", yen as whole numbers). */
export const formatAmount = (minor: number, currency: string): string => {
  if (minorDigits(currency) === 0) return String(minor);
  return `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, "0")}`;
};

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
      slots.push(planLimited(key, resend));
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

  /**
   * A slot of a limited account's traffic: a credit (a cash_in, or a transfer into it from an account without
   * a limit), one debit of it, or a burst of debits of it sent at once. Its debits are of every kind, each
   * more than its credits on average, so it runs into its limit; a transfer goes to the client's other limited
   * account in that currency when there is one (both directions happen: batches lock both rows), else to one
   * without a limit. None of it is ever refunded (a refund of a transfer into a limited account would debit it).
   */
  function planLimited(key: string, resend: () => boolean): Slot {
    const client = options.clients > 1 ? random.int(0, options.clients - 1) : 0;
    const account = random.pick(LIMITED_ACCOUNTS);
    const what = weighted(random, LIMITED_WEIGHTS);
    const amount = (low: number, high: number) =>
      account.currency === "JPY" ? random.int(low, high) : random.int(low, high) * 100 + random.int(0, 99);
    const base = { idBy: "idempotency-key" as const, client, currency: account.currency };
    if (what === "cash_in")
      return [
        {
          ...base,
          key,
          type: "cash_in",
          accountId: account.accountId,
          amountMinor: amount(40, 180),
          limited: "credit",
          resend: resend(),
        },
      ];
    if (what === "transfer-in")
      return [
        {
          ...base,
          key,
          type: "transfer",
          accountId: random.pick(ACCOUNTS),
          counterpartyAccountId: account.accountId,
          amountMinor: amount(20, 120),
          limited: "credit",
          resend: resend(),
        },
      ];
    const debit = (suffix: string, intent: LimitedIntent): PlannedRequest => {
      const type = random.pick(DEBIT_KINDS);
      const peer = LIMITED_ACCOUNTS.find(
        (other) => other.currency === account.currency && other.accountId !== account.accountId,
      );
      return {
        ...base,
        key: `${key}${suffix}`,
        type,
        accountId: account.accountId,
        amountMinor: amount(10, 130),
        ...(type === "payment" || random.chance(0.3) ? { merchantName: random.pick(MERCHANTS) } : {}),
        ...(type === "transfer"
          ? { counterpartyAccountId: peer && random.chance(0.6) ? peer.accountId : random.pick(ACCOUNTS) }
          : {}),
        limited: intent,
        resend: resend(),
      };
    };
    if (what === "debit") return [debit("", "debit")];
    return Array.from({ length: random.int(2, 4) }, (_, n) => debit(`-${n}`, "burst"));
  }

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

/** The request's JSON body; a refund's names its original as planned (`originalId`: its 202's id). */
export const bodyOf = (request: PlannedRequest, originalId?: string): string =>
  JSON.stringify({
    type: request.type,
    account_id: request.accountId,
    amount: formatAmount(request.amountMinor, request.currency),
    currency: request.currency,
    ...(request.merchantName ? { merchant_name: request.merchantName } : {}),
    ...(request.counterpartyAccountId ? { counterparty_account_id: request.counterpartyAccountId } : {}),
    ...(request.refund ? { original_transaction_id: originalId } : {}),
    ...(request.idBy === "transaction-id" ? { transaction_id: request.key } : {}),
  });

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const runClients = async (options: LoadOptions): Promise<ClientHistory> => {
  const history: ClientHistory = {
    accepts: [],
    answered: new Map(),
    sent: new Map(),
    retries: 0,
    resent: 0,
    abandoned: 0,
    skippedRefunds: 0,
    statuses: new Map(),
  };
  const count = (status: number | "error") =>
    history.statuses.set(status, (history.statuses.get(status) ?? 0) + 1);
  const total = Math.round((options.ratePerSecond * options.durationMs) / 1_000);
  const started = options.clock();
  let next = 0;
  // The traffic is planned up front from the seeded generator, so a run's requests are the same for the
  // same seed (a refund's original id is derived from its original's key, so it is the same too).
  const slots = planWorkload({
    total,
    clients: options.clients.length,
    random: options.random,
    seed: options.seed,
    resendProbability: options.resendProbability,
  });
  // Each request's transaction id once its first 202 arrives (undefined: it never got one).
  const settled = new Map<string, { promise: Promise<string | undefined>; done: (id?: string) => void }>();
  for (const request of slots.flat()) {
    let done: (id?: string) => void = () => undefined;
    const promise = new Promise<string | undefined>((resolve) => {
      done = resolve;
    });
    settled.set(request.key, { promise, done });
  }
  // Keeps going after the load window only to finish transactions already started (bounded).
  const giveUpAt = started + options.durationMs + 120_000;

  const post = async (request: PlannedRequest, body: string): Promise<string | undefined> => {
    const { key } = request;
    const client = options.clients[request.client] as ApiClient;
    for (let attempt = 0; ; attempt++) {
      if (options.clock() > giveUpAt) return undefined;
      const sent = options.clock();
      try {
        const response = await fetch(`${options.gatewayUrl}/v1/transactions`, {
          method: "POST",
          headers: {
            Authorization: `Bearer ${client.apiKey}`,
            "Content-Type": "application/json",
            ...(request.idBy === "idempotency-key" ? { "Idempotency-Key": key } : {}),
          },
          body,
          signal: AbortSignal.timeout(5_000),
        });
        count(response.status);
        const answer = (await response.json().catch(() => ({}))) as { transaction_id?: string };
        // 202: accepted now; 200: the key's transaction is already in the ledger (an idempotent retry).
        if ((response.status === 202 || response.status === 200) && answer.transaction_id) {
          const ids = history.answered.get(key) ?? [];
          ids.push(answer.transaction_id);
          history.answered.set(key, ids);
          history.accepts.push({
            key,
            transactionId: answer.transaction_id,
            atMs: options.clock(),
            latencyMs: options.clock() - sent,
          });
          return answer.transaction_id;
        }
        if (response.status < 500 && response.status !== 429) {
          throw new Error(`${key}: the gateway answered ${response.status} ${JSON.stringify(answer)}`);
        }
      } catch (error) {
        if ((error as Error).message?.startsWith(key)) throw error;
        count("error");
      }
      history.retries += 1;
      await sleep(Math.min(2_000, 50 * 2 ** Math.min(attempt, 6)) * (0.5 + Math.random()));
    }
  };

  const send = async (request: PlannedRequest) => {
    const mine = settled.get(request.key);
    try {
      let originalId: string | undefined;
      if (request.refund) {
        const ledgerId = await settled.get(request.refund.originalKey)?.promise;
        if (ledgerId === undefined) {
          history.skippedRefunds += 1;
          return;
        }
        originalId = request.refund.namedBy === "chosen-id" ? request.refund.originalKey : ledgerId;
        history.sent.set(request.key, {
          ...recordOf(request, options.clients),
          refund: { originalId: ledgerId, intent: request.refund.intent, group: request.refund.group },
        });
      } else {
        history.sent.set(request.key, recordOf(request, options.clients));
      }
      const body = bodyOf(request, originalId);
      const id = await post(request, body);
      mine?.done(id);
      if (id === undefined) {
        history.abandoned += 1;
        return;
      }
      if (request.resend) {
        history.resent += 1;
        await post(request, body);
      }
    } finally {
      mine?.done(undefined);
    }
  };

  const worker = async () => {
    for (;;) {
      const index = next++;
      if (index >= slots.length) return;
      // Paced: slot n is due at n / rate seconds into the run.
      const due = started + (index * 1_000) / options.ratePerSecond;
      const wait = due - options.clock();
      if (wait > 0) await sleep(wait);
      // A refund group's members are sent at once.
      await Promise.all((slots[index] as Slot).map(send));
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return history;
};

const recordOf = (request: PlannedRequest, clients: readonly ApiClient[]): SentRecord => ({
  key: request.key,
  clientId: (clients[request.client] as ApiClient).clientId,
  type: request.type,
  accountId: request.accountId,
  currency: request.currency,
  amountMinor: request.amountMinor,
  ...(request.counterpartyAccountId ? { counterpartyAccountId: request.counterpartyAccountId } : {}),
  ...(request.limited ? { limited: request.limited } : {}),
});

/** What was sent, by the transaction id its 202 gave (requests never answered are left out). */
export const sentById = (history: ClientHistory): Map<string, SentRecord> => {
  const byId = new Map<string, SentRecord>();
  for (const [key, ids] of history.answered) {
    const record = history.sent.get(key);
    const id = ids[0];
    if (record && id !== undefined) byId.set(id, record);
  }
  return byId;
};

/**
 * Gives each client's limited accounts their overdraft limit through the gateway (PUT
 * /v1/accounts/{id}/limits with the client's own key), before any load. A 5xx, 429 or refused connection is
 * retried; any other answer but 200 ends the run.
 */
export const setLimits = async (
  gatewayUrl: string,
  clients: readonly ApiClient[],
  timeoutMs = 60_000,
): Promise<LimitSet[]> => {
  const deadline = Date.now() + timeoutMs;
  const set: LimitSet[] = [];
  for (const client of clients) {
    for (const account of LIMITED_ACCOUNTS) {
      for (let attempt = 0; ; attempt++) {
        if (Date.now() > deadline) throw new Error(`no limit set on ${account.accountId} in ${timeoutMs} ms`);
        const response = await fetch(`${gatewayUrl}/v1/accounts/${account.accountId}/limits`, {
          method: "PUT",
          headers: { Authorization: `Bearer ${client.apiKey}`, "Content-Type": "application/json" },
          body: JSON.stringify({
            currency: account.currency,
            overdraft_limit: formatAmount(account.limitMinor, account.currency),
          }),
          signal: AbortSignal.timeout(5_000),
        }).catch(() => undefined);
        const answer = (await response?.json().catch(() => ({}))) as {
          ledger_account?: string;
          balances?: {
            currency: string;
            overdraft_limit_minor: string | null;
            limit_updated_at: string | null;
          }[];
        };
        if (response?.status === 200) {
          const balance = answer.balances?.find((b) => b.currency === account.currency);
          if (balance?.overdraft_limit_minor !== String(account.limitMinor) || !balance.limit_updated_at)
            throw new Error(`PUT limits of ${account.accountId} answered ${JSON.stringify(answer)}`);
          set.push({
            clientId: client.clientId,
            accountId: account.accountId,
            currency: account.currency,
            ledgerAccount: answer.ledger_account ?? `customer:${client.clientId}:${account.accountId}`,
            limitMinor: account.limitMinor,
            updatedAtMs: Date.parse(balance.limit_updated_at),
          });
          break;
        }
        if (response && response.status < 500 && response.status !== 429)
          throw new Error(
            `PUT limits of ${account.accountId} answered ${response.status} ${JSON.stringify(answer)}`,
          );
        await sleep(Math.min(2_000, 100 * 2 ** Math.min(attempt, 4)));
      }
    }
  }
  return set;
};
