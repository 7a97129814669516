// Careful upstream clients: many at once, at a target rate, over several accounts and currencies, each
// transaction with its own Idempotency-Key (a few name themselves by a transaction_id they chose instead).
// A 5xx, a 429, a timeout or a refused connection is retried with the same key and backoff; a few keys are
// sent again after their 202, as by a client that lost the answer. Every 202 is recorded: the key, the
// transaction id, when, and how long it took.
// What they send is planned up front (workload.ts, traffic.ts).
import { setTimeout as sleep } from "node:timers/promises";
import type { Random } from "./random.ts";
import {
  type ApiClient,
  bodyOf,
  type Kind,
  type LimitedIntent,
  type PlannedRequest,
  type RefundIntent,
  type Slot,
} from "./traffic.ts";
import { planWorkload } from "./workload.ts";

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
  /** Every gateway instance: requests take turns, and a retry goes to the next one (as a balancer would). */
  readonly gatewayUrls: readonly string[];
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

  let turn = 0;
  const post = async (request: PlannedRequest, body: string): Promise<string | undefined> => {
    const { key } = request;
    const client = options.clients[request.client] as ApiClient;
    for (let attempt = 0; ; attempt++) {
      if (options.clock() > giveUpAt) return undefined;
      const sent = options.clock();
      try {
        const gatewayUrl = options.gatewayUrls[turn++ % options.gatewayUrls.length] as string;
        const response = await fetch(`${gatewayUrl}/v1/transactions`, {
          method: "POST",
          headers: {
            Authorization: `Bearer ${client.apiKey}`,
            "Content-Type": "application/json",
            ...(request.idBy === "idempotency-key" ? { "Idempotency-Key": key } : {}),
          },
          body,
          signal: AbortSignal.timeout(15_000),
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
