// Careful upstream clients: many at once, at a target rate, over several accounts and currencies, each
// transaction with its own Idempotency-Key. A 5xx, a 429, a timeout or a refused connection is retried
// with the same key and backoff; a few keys are sent again after their 202, as by a client that lost the
// answer. Every 202 is recorded: the key, the transaction id, when, and how long it took.
import type { Random } from "./random.ts";

export interface Accept {
  readonly key: string;
  readonly transactionId: string;
  /** When the 202 arrived (ms since the run's start) and how long the request took. */
  readonly atMs: number;
  readonly latencyMs: number;
}

export interface ClientHistory {
  readonly accepts: Accept[];
  /** Key → every transaction id it was answered with (a resend must get the same one). */
  readonly answered: Map<string, string[]>;
  retries: number;
  resent: number;
  /** Requests that never got a 202 before the clients stopped (their outcome is unknown). */
  abandoned: number;
  /** Answers by status code (retried ones included). */
  readonly statuses: Map<number | "error", number>;
}

export interface LoadOptions {
  readonly gatewayUrl: string;
  readonly apiKey: string;
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
const MERCHANTS = ["Chicago Retail Hub", "Amazon Mktp", "Corner Shop", "City Transit", "Cafe Nero"];

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export const runClients = async (options: LoadOptions): Promise<ClientHistory> => {
  const history: ClientHistory = {
    accepts: [],
    answered: new Map(),
    retries: 0,
    resent: 0,
    abandoned: 0,
    statuses: new Map(),
  };
  const count = (status: number | "error") =>
    history.statuses.set(status, (history.statuses.get(status) ?? 0) + 1);
  const total = Math.round((options.ratePerSecond * options.durationMs) / 1_000);
  const started = options.clock();
  let next = 0;
  // Bodies are drawn up front from the seeded generator, so a run's traffic is the same for the same seed.
  const bodies = Array.from({ length: total }, () => {
    const currency = options.random.pick(CURRENCIES);
    const major = options.random.int(1, currency === "JPY" ? 50_000 : 2_000);
    const minor = currency === "JPY" ? "" : `.${String(options.random.int(0, 99)).padStart(2, "0")}`;
    return JSON.stringify({
      account_id: options.random.pick(ACCOUNTS),
      amount: `${major}${minor}`,
      currency,
      merchant_name: options.random.pick(MERCHANTS),
    });
  });
  const resend = bodies.map(() => options.random.chance(options.resendProbability));
  // Keeps going after the load window only to finish transactions already started (bounded).
  const giveUpAt = started + options.durationMs + 120_000;

  const post = async (key: string, body: string): Promise<string | undefined> => {
    for (let attempt = 0; ; attempt++) {
      if (options.clock() > giveUpAt) return undefined;
      const sent = options.clock();
      try {
        const response = await fetch(`${options.gatewayUrl}/v1/transactions`, {
          method: "POST",
          headers: {
            Authorization: `Bearer ${options.apiKey}`,
            "Content-Type": "application/json",
            "Idempotency-Key": key,
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

  const client = async () => {
    for (;;) {
      const index = next++;
      if (index >= total) return;
      // Paced: transaction n is due at n / rate seconds into the run.
      const due = started + (index * 1_000) / options.ratePerSecond;
      const wait = due - options.clock();
      if (wait > 0) await sleep(wait);
      const key = `chaos-${options.seed}-${index}`;
      const body = bodies[index] as string;
      const id = await post(key, body);
      if (id === undefined) {
        history.abandoned += 1;
        continue;
      }
      if (resend[index]) {
        history.resent += 1;
        await post(key, body);
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, client));
  return history;
};
