// Refunds of the same originals decided in parallel: many more refunds than each original can take, sent
// through the gateway (one partition per account) and produced straight onto transactions.validated on
// every partition, while two ledger-sink instances share the partitions and are SIGKILLed and restarted
// mid-run. Each original takes exactly what fits, every other refund is refused REFUND_EXCEEDS_ORIGINAL,
// and replaying the refunds later (other partitions) changes no outcome.
import { randomUUID } from "node:crypto";
import type { TransactionValidated } from "@ledgerline/contracts";
import { payloadHash } from "@ledgerline/domain";
import { createIdempotentProducer, createReadCommittedConsumer } from "@ledgerline/kafka";
import { sql } from "@ledgerline/ledger-db";
import { RegistryCodec } from "@ledgerline/schema-registry";
import {
  assertLedgerInvariants,
  type Pipeline,
  type StageInstance,
  startPipeline,
  testEnvironment,
} from "@ledgerline/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const auth = { Authorization: "Bearer dev-key-change-me", "Content-Type": "application/json" };
const ORIGINALS = 12;
const ORIGINAL_MINOR = 1_000n;
const REFUND_MINOR = 300n;
/** Per original: half through the gateway, half straight onto transactions.validated (one per partition). */
const HTTP_REFUNDS = 6;
const DIRECT_REFUNDS = 6;
const PARTITIONS = 6;
const TAKEN = Number(ORIGINAL_MINOR / REFUND_MINOR); // 3 fit, 9 are refused
const KINDS = ["payment", "transfer", "cash_out", "debit"] as const;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Original {
  readonly ledgerId: string;
  /** The transaction_id the client chose (every other original): refunds name it by either id. */
  readonly chosen: string | null;
  readonly accountId: string;
  readonly kind: (typeof KINDS)[number];
}

describe("concurrent refunds of one original on two sinks with kills", () => {
  let pipeline: Pipeline;
  let second: StageInstance;
  beforeAll(async () => {
    pipeline = await startPipeline("refundrace", undefined, {
      // Small batches: refunds of one original spread over many batches and both sinks.
      appEnv: { "ledger-sink": { LEDGER_SINK_BATCH_SIZE: "8" } },
    });
  });
  afterAll(() => pipeline?.stop());

  const pool = () => pipeline.database.pool;
  const postBatch = async (items: readonly Record<string, unknown>[]) => {
    const response = await fetch(`${pipeline.gatewayUrl}/v1/transactions:batch`, {
      method: "POST",
      headers: auth,
      body: JSON.stringify({ items }),
    });
    const body = (await response.json()) as { results: { transaction_id: string }[] };
    expect(response.status, JSON.stringify(body).slice(0, 1_000)).toBe(202);
    return body.results.map((r) => r.transaction_id);
  };
  const statuses = async (ids: readonly string[]) =>
    new Map(
      (
        (await pool().any(sql.unsafe`
          SELECT transaction_id::text AS id, status FROM transactions
          WHERE transaction_id = ANY(${sql.array(ids, "uuid")})`)) as readonly {
          id: string;
          status: string;
        }[]
      ).map((row) => [row.id, row.status]),
    );
  const waitSettled = async (ids: readonly string[], timeoutMs = 40_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const known = await statuses(ids);
      if (known.size === ids.length) return known;
      if (Date.now() > deadline)
        throw new Error(
          `${ids.length - known.size} of ${ids.length} not in the ledger after ${timeoutMs} ms\nsink 0: ${pipeline
            .logs("ledger-sink")
            .slice(-1_500)}\nsink 1: ${second?.logs().slice(-1_500)}`,
        );
      await sleep(200);
    }
  };
  /** Instances holding validated partitions, per the sinks' own claims in Postgres. */
  const holders = async () =>
    (await pool().anyFirst(sql.unsafe`
      SELECT DISTINCT instance_id FROM sink_assignments
      WHERE topic = ${pipeline.namespace.names.topic("validated")} ORDER BY 1`)) as readonly string[];
  /** Every partition of transactions.validated written into the ledger up to its end. */
  const caughtUp = async () => {
    const consumer = createReadCommittedConsumer(
      { bootstrapBrokers: testEnvironment().brokers, clientId: "refundrace-offsets" },
      `${pipeline.namespace.namespace}.offsets-${randomUUID()}`,
    );
    const topic = pipeline.namespace.names.topic("validated");
    try {
      const ends = (await consumer.listOffsets({ topics: [topic] })).get(topic) ?? [];
      const stored = new Map(
        (
          (await pool().any(sql.unsafe`
            SELECT partition, next_offset FROM consumer_offsets
            WHERE group_id = ${pipeline.namespace.names.group("ledgerSink")} AND topic = ${topic}`)) as readonly {
            partition: number;
            next_offset: bigint;
          }[]
        ).map((row) => [row.partition, row.next_offset]),
      );
      return ends.every((end, partition) => end === 0n || (stored.get(partition) ?? 0n) >= end);
    } finally {
      await consumer.close(true);
    }
  };

  it("each original takes floor(amount / refund) refunds, decided once, the rest refused", {
    timeout: 120_000,
  }, async () => {
    const started = Date.now();
    // A second sink shares the partitions with the pipeline's own.
    second = pipeline.startInstance("ledger-sink", "1");

    // The originals, through the gateway, posted before any refund is sent.
    const originalItems = Array.from({ length: ORIGINALS }, (_, i) => {
      const kind = KINDS[i % KINDS.length]!;
      return {
        type: kind,
        account_id: `ACC-RR-${i}`,
        amount: "10.00",
        currency: "USD",
        ...(kind === "payment" ? { merchant_name: `Race Shop ${i}` } : {}),
        ...(kind === "transfer" ? { counterparty_account_id: `ACC-RR-${i}-SAVINGS` } : {}),
        ...(i % 2 === 0 ? { transaction_id: randomUUID() } : {}),
      };
    });
    const originalIds = await postBatch(originalItems);
    const originals: Original[] = originalItems.map((item, i) => ({
      ledgerId: originalIds[i]!,
      chosen: (item as { transaction_id?: string }).transaction_id ?? null,
      accountId: item.account_id,
      kind: item.type,
    }));
    const originalStatus = await waitSettled(originalIds);
    expect([...originalStatus.values()].every((s) => s === "posted")).toBe(true);
    // Both sinks hold validated partitions before the refunds come.
    const deadline = Date.now() + 30_000;
    while ((await holders()).length < 2) {
      if (Date.now() > deadline) throw new Error(`one sink holds every partition: ${await holders()}`);
      await sleep(200);
    }

    // The refunds: per original, some through the gateway (its account's partition), some produced straight
    // onto transactions.validated, one on each partition, as a foreign producer would.
    const names = pipeline.namespace.names;
    const codec = new RegistryCodec({ url: testEnvironment().registryUrl, names });
    const refundOf = (original: Original, n: number) =>
      original.chosen !== null && n % 2 === 1 ? original.chosen : original.ledgerId;
    const direct = originals.flatMap((original, i) =>
      Array.from({ length: DIRECT_REFUNDS }, (_, n) => {
        const content = {
          account_id: original.accountId,
          amount_minor: REFUND_MINOR,
          currency: "USD",
          merchant_name: "",
          type: "refund",
          counterparty_account_id: null,
          original_transaction_id: refundOf(original, n),
        };
        const value: TransactionValidated = {
          transaction_id: randomUUID(),
          ...content,
          occurred_at: new Date(Date.now() - 1_000),
          accepted_at: new Date(),
          client_id: "dev",
          idempotency_key: null,
          metadata: {},
          merchant_category: "other",
          base_currency: "USD",
          base_amount_minor: REFUND_MINOR,
          fx_rate: "1.000000000000",
          fx_rate_as_of: new Date(),
          risk_flags: [],
          payload_hash: payloadHash(content),
          validated_at: new Date(),
        };
        return { value, partition: (i + n) % PARTITIONS };
      }),
    );
    const directBytes = await Promise.all(direct.map((d) => codec.encode("validated", d.value)));
    const produceDirect = async (which: readonly number[], shift: number) => {
      const producer = createIdempotentProducer({
        bootstrapBrokers: testEnvironment().brokers,
        clientId: "refundrace-direct",
      });
      try {
        await producer.send({
          messages: which.map((k) => ({
            topic: names.topic("validated"),
            key: direct[k]!.value.account_id,
            value: directBytes[k]!,
            partition: (direct[k]!.partition + shift) % PARTITIONS,
          })),
        });
      } finally {
        await producer.close();
      }
    };
    const httpItems = originals.flatMap((original) =>
      Array.from({ length: HTTP_REFUNDS }, (_, n) => ({
        type: "refund",
        account_id: original.accountId,
        amount: "3.00",
        currency: "USD",
        original_transaction_id: refundOf(original, n),
      })),
    );

    // Four waves, each sent at once (gateway and direct together), a sink SIGKILLed during each.
    const waves = 4;
    const refundIds: string[] = direct.map((d) => d.value.transaction_id);
    const kills: Promise<void>[] = [];
    for (let wave = 0; wave < waves; wave++) {
      const httpSlice = httpItems.filter((_, k) => k % waves === wave);
      const directSlice = direct.map((_, k) => k).filter((k) => k % waves === wave);
      const sent = Promise.all([postBatch(httpSlice), produceDirect(directSlice, 0)]);
      await sleep(100 + Math.random() * 300);
      if (wave % 2 === 0) {
        kills.push(pipeline.restart("ledger-sink")); // SIGKILL, started again at once
      } else {
        await second.kill("SIGKILL");
        second = pipeline.startInstance("ledger-sink", "1");
      }
      const [ids] = await sent;
      refundIds.push(...ids);
    }
    await Promise.all(kills);
    expect(refundIds).toHaveLength(ORIGINALS * (HTTP_REFUNDS + DIRECT_REFUNDS));
    expect(new Set(refundIds).size).toBe(refundIds.length);
    const outcome = await waitSettled(refundIds, 60_000);

    const check = async () => {
      const rows = (await pool().any(sql.unsafe`
        SELECT o.transaction_id::text AS id, o.amount_minor, o.refunded_minor,
          count(r.*) FILTER (WHERE r.status = 'posted') AS posted,
          coalesce(sum(r.amount_minor) FILTER (WHERE r.status = 'posted'), 0)::bigint AS posted_sum,
          count(r.*) FILTER (WHERE r.status = 'rejected'
            AND r.rejection_reasons @> '[{"code": "REFUND_EXCEEDS_ORIGINAL"}]') AS exceeded,
          count(r.*) AS refunds
        FROM transactions o
        LEFT JOIN transactions r ON r.original_transaction_id = o.transaction_id AND r.type = 'refund'
        WHERE o.transaction_id = ANY(${sql.array(originalIds, "uuid")})
        GROUP BY o.transaction_id ORDER BY 1`)) as readonly {
        id: string;
        amount_minor: bigint;
        refunded_minor: bigint;
        posted: bigint;
        posted_sum: bigint;
        exceeded: bigint;
        refunds: bigint;
      }[];
      expect(rows).toHaveLength(ORIGINALS);
      for (const row of rows) {
        const all = BigInt(HTTP_REFUNDS + DIRECT_REFUNDS);
        expect(row, row.id).toMatchObject({
          posted: BigInt(TAKEN),
          posted_sum: BigInt(TAKEN) * REFUND_MINOR,
          refunded_minor: BigInt(TAKEN) * REFUND_MINOR,
          exceeded: all - BigInt(TAKEN),
          refunds: all,
        });
        expect(row.posted_sum).toBeLessThanOrEqual(row.amount_minor);
      }
    };
    await check();
    expect([...outcome.values()].filter((s) => s !== "posted" && s !== "rejected")).toEqual([]);

    // Replays change nothing: every direct refund produced again, each on another partition than before.
    const snapshot = async () =>
      pool().any(sql.unsafe`
        SELECT transaction_id::text, status, rejection_reasons, refunded_minor, recorded_at, posted_at
        FROM transactions ORDER BY transaction_id`);
    const decided = await snapshot();
    await produceDirect(
      direct.map((_, k) => k),
      1,
    );
    const caughtUpBy = Date.now() + 30_000;
    while (!(await caughtUp())) {
      if (Date.now() > caughtUpBy) throw new Error("the sinks did not read the replays within 30 s");
      await sleep(200);
    }
    expect(await snapshot()).toEqual(decided);
    expect(await pool().oneFirst(sql.unsafe`SELECT count(*) FROM payload_conflicts`)).toBe(0n);
    await check();

    await assertLedgerInvariants(pool(), [...originalIds, ...refundIds], expect, pipeline.posted);
    // No app exited on its own (the test's kills aside).
    expect(pipeline.exits().filter((exit) => !exit.byTest)).toEqual([]);
    console.log(`concurrent refunds: ${refundIds.length} refunds decided in ${Date.now() - started} ms`);
  });
});
