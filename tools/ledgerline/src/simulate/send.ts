// Posts PaySim rows to the gateway at a target rate with C concurrent senders.

import { randomUUID } from "node:crypto";
import { Redacted } from "effect";
import type { PaysimTransaction } from "../paysim/paysim.ts";

export type SendOutcome = "accepted" | "rejected" | "error";

export interface SendResult {
  readonly outcome: SendOutcome;
  readonly transactionId: string;
  readonly latencyMs: number;
  readonly status: number;
  readonly detail?: string;
}

export interface SendOptions {
  readonly gatewayUrl: string;
  /** A secret: unwrapped only into the Authorization header. */
  readonly apiKey: Redacted.Redacted<string>;
  /** The rows to send, in turn (a stream of the file: see paysim/load.ts); sending stops when they end. */
  readonly rows: AsyncIterator<PaysimTransaction>;
  /** Requests per second; 0 = as fast as the senders go. */
  readonly rate: number;
  readonly count?: number;
  readonly durationMs?: number;
  readonly concurrency: number;
  readonly shouldStop: () => boolean;
  readonly onResult: (result: SendResult) => void;
}

/**
 * The gateway's request body for one row: its kind, with a merchant only for a payment and a counterparty
 * only for a transfer, and a fresh transaction id per send, so runs never collide.
 */
export const requestBody = (row: PaysimTransaction, transactionId: string) => ({
  transaction_id: transactionId,
  type: row.type,
  account_id: row.accountId,
  amount: row.amount,
  currency: row.currency,
  ...(row.type === "payment" ? { merchant_name: row.merchantName } : {}),
  ...(row.counterpartyAccountId === null ? {} : { counterparty_account_id: row.counterpartyAccountId }),
  occurred_at: row.occurredAt.toISOString(),
  metadata: row.metadata,
});

export const postTransaction = async (
  options: Pick<SendOptions, "gatewayUrl" | "apiKey">,
  row: PaysimTransaction,
): Promise<SendResult> => {
  const chosenId = randomUUID();
  const started = performance.now();
  let transactionId: string = chosenId;
  try {
    const response = await fetch(`${options.gatewayUrl}/v1/transactions`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: `Bearer ${Redacted.value(options.apiKey)}`,
      },
      body: JSON.stringify(requestBody(row, chosenId)),
      signal: AbortSignal.timeout(15_000),
    });
    const text = await response.text();
    const latencyMs = performance.now() - started;
    if (response.status === 202 || response.status === 200) {
      // The ledger keeps a chosen id namespaced to the client: follow the id the gateway answered.
      const answered = (JSON.parse(text) as { transaction_id?: unknown }).transaction_id;
      if (typeof answered === "string") transactionId = answered;
      return { outcome: "accepted", transactionId, latencyMs, status: response.status };
    }
    const outcome =
      response.status >= 400 && response.status < 500 && response.status !== 429 ? "rejected" : "error";
    return { outcome, transactionId, latencyMs, status: response.status, detail: text.slice(0, 300) };
  } catch (error) {
    return {
      outcome: "error",
      transactionId,
      latencyMs: performance.now() - started,
      status: 0,
      detail: (error as Error).message,
    };
  }
};

/**
 * Sends until count/duration is reached, the rows end or shouldStop(); resolves when every in-flight
 * request has answered.
 */
export const sendAll = async (options: SendOptions): Promise<void> => {
  const started = performance.now();
  const total = options.count ?? Number.POSITIVE_INFINITY;
  let next = 0;
  const claim = (): number | undefined => {
    if (options.shouldStop() || next >= total) return undefined;
    if (options.durationMs !== undefined) {
      if (performance.now() - started >= options.durationMs) return undefined;
      // Paced: request i is due at i/rate; one due after the end belongs to no one.
      if (options.rate > 0 && (next * 1000) / options.rate >= options.durationMs) return undefined;
    }
    return next++;
  };
  const worker = async () => {
    for (let index = claim(); index !== undefined; index = claim()) {
      if (options.rate > 0) {
        // Open-loop pacing: request i is due at start + i/rate, whatever the latency of the others.
        const due = started + (index * 1000) / options.rate;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
        if (options.shouldStop()) return;
      }
      // Workers share the stream: an async generator hands out its rows one call at a time.
      const row = await options.rows.next();
      if (row.done) return;
      options.onResult(await postTransaction(options, row.value));
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
};
