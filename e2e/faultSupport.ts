// What the pipeline fault tests share: careful clients that retry with the same Idempotency-Key (as
// an upstream system that must not lose or double a payment would), and waits on the ledger.
import { type DatabasePool, sql } from "@ledgerline/ledger-db";
import {
  type AppExit,
  assertLedgerInvariants,
  type Pipeline,
  type PipelineOptions,
  startPipeline,
} from "@ledgerline/testkit";
import { afterAll, beforeAll, expect } from "vitest";

/** The development key (every scope) as a JSON POST's headers. */
export const AUTH = { Authorization: "Bearer dev-key-change-me", "Content-Type": "application/json" };

export interface Load {
  /** Idempotency key → transaction id, for every transaction that got a 202 (or a 200 on a retry). */
  readonly accepted: Map<string, string>;
  /** Answers that were retried (503, 5xx, 429, timeouts, refused connections). */
  retries: number;
  /** Resolves when every transaction was accepted. */
  readonly done: Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Sends `count` transactions from `concurrency` clients, each POST retried until it gets its 202 (or the
 * deadline passes), with the same key and a capped backoff. `pause` can slow the clients down.
 */
export const sendTransactions = (
  gatewayUrl: string,
  count: number,
  options: { label: string; concurrency?: number; deadlineMs?: number; spacingMs?: number },
): Load => {
  const load: Load = { accepted: new Map(), retries: 0, done: Promise.resolve() };
  const deadline = Date.now() + (options.deadlineMs ?? 180_000);
  let next = 0;
  const client = async () => {
    for (;;) {
      const index = next++;
      if (index >= count) return;
      const key = `${options.label}-${index}`;
      const body = JSON.stringify({
        account_id: `ACC-${index % 13}`,
        amount: `${(index % 97) + 1}.${String(index % 100).padStart(2, "0")}`,
        currency: "USD",
        merchant_name: "Chicago Retail Hub",
      });
      for (let attempt = 0; ; attempt++) {
        if (Date.now() > deadline) throw new Error(`${key}: no 202 before the deadline`);
        try {
          const response = await fetch(`${gatewayUrl}/v1/transactions`, {
            method: "POST",
            headers: { ...AUTH, "Idempotency-Key": key },
            body,
            signal: AbortSignal.timeout(15_000),
          });
          const answer = (await response.json().catch(() => ({}))) as { transaction_id?: string };
          // 202: accepted now; 200: a retry of a POST that was accepted after all (its answer was lost to a
          // timeout), and the transaction is already in the ledger: the gateway answers with its row.
          if ((response.status === 202 || response.status === 200) && answer.transaction_id) {
            load.accepted.set(key, answer.transaction_id);
            break;
          }
          if (response.status < 500 && response.status !== 429) {
            throw new Error(`${key}: unexpected ${response.status} ${JSON.stringify(answer)}`);
          }
        } catch (error) {
          if ((error as Error).message.startsWith(key)) throw error;
        }
        load.retries += 1;
        await sleep(Math.min(2_000, 100 * 2 ** Math.min(attempt, 5)));
      }
      if (options.spacingMs) await sleep(options.spacingMs);
    }
  };
  (load as { done: Promise<void> }).done = Promise.all(
    Array.from({ length: options.concurrency ?? 20 }, client),
  ).then(() => undefined);
  return load;
};

/** Waits until every id has a row in the ledger (any final status); fails at once if an app exited. */
export const awaitInLedger = async (
  pool: DatabasePool,
  ids: readonly string[],
  timeoutMs: number,
  pipeline?: Pipeline,
) => {
  const deadline = Date.now() + timeoutMs;
  let found = 0n;
  for (;;) {
    if (pipeline) expectNoExits(pipeline);
    found = (await pool.oneFirst(sql.unsafe`
      SELECT count(*) FROM transactions WHERE transaction_id = ANY(${sql.array(ids, "uuid")})`)) as bigint;
    if (found === BigInt(ids.length)) return;
    if (Date.now() > deadline)
      throw new Error(`only ${found} of ${ids.length} transactions reached the ledger`);
    await sleep(250);
  }
};

/** No app exited on its own (only what the test killed itself). */
export const expectNoExits = (pipeline: Pipeline) => {
  const own = pipeline.exits().filter((exit: AppExit) => !exit.byTest);
  if (own.length > 0) {
    const lines = own.map(
      (exit) => `${exit.app} exited (${exit.signal ?? exit.code})\n${pipeline.logs(exit.app).slice(-3_000)}`,
    );
    throw new Error(`a stage exited:\n${lines.join("\n")}`);
  }
};

/** Waits until the outbox has published every event. */
export const awaitOutboxDrained = async (pool: DatabasePool, timeoutMs: number) => {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const left = (await pool.oneFirst(sql.unsafe`SELECT count(*) FROM outbox`)) as bigint;
    if (left === 0n) return;
    if (Date.now() > deadline) throw new Error(`${left} outbox events still unpublished`);
    await sleep(250);
  }
};

/**
 * A pipeline on a throwaway service (broker, Postgres or registry) the suite may kill: both made
 * before the suite, the pipeline stopped and the service destroyed after it.
 */
export const pipelineOnThrowaway = <S extends { destroy(): Promise<void> }>(
  label: string,
  create: () => Promise<S>,
  options: (service: S) => PipelineOptions,
) => {
  const suite = {} as { service: S; pipeline: Pipeline };
  beforeAll(async () => {
    suite.service = await create();
    suite.pipeline = await startPipeline(label, undefined, { ...options(suite.service), opsEndpoints: true });
    await suite.pipeline.awaitReady(60_000);
  }, 180_000);
  afterAll(async () => {
    await suite.pipeline?.stop();
    await suite.service?.destroy();
  });
  return suite;
};

/** Waits until the load has `count` transactions accepted. */
export const untilAccepted = async (load: Load, count: number) => {
  while (load.accepted.size < count) await sleep(100);
};

/**
 * After the fault: all `count` transactions accepted, each in the ledger, the outbox drained, the
 * pipeline ready again with no stage exited, and every ledger invariant holding. Returns their ids.
 */
export const expectRecovered = async (pipeline: Pipeline, load: Load, count: number) => {
  await load.done;
  const ids = [...new Set(load.accepted.values())];
  expect(ids.length).toBe(count);
  await awaitInLedger(pipeline.database.pool, ids, 120_000, pipeline);
  await awaitOutboxDrained(pipeline.database.pool, 60_000);
  await pipeline.awaitReady(60_000);
  expectNoExits(pipeline);
  await assertLedgerInvariants(pipeline.database.pool, ids, expect, pipeline.posted);
  return ids;
};
