// Decisions the ledger takes against state other records move, taken in parallel: two ledger-sink instances
// share the partitions and are SIGKILLed and restarted mid-run, while the same records come through the
// gateway (one partition per account) and straight onto transactions.validated on every partition, so the
// same original or account is decided by different sinks at the same time. One pipeline for both:
//
// - refunds of the same originals, many more than each can take: each original takes exactly what fits,
//   every other refund is refused REFUND_EXCEEDS_ORIGINAL;
// - debits of accounts with an overdraft limit, many more than each can pay: each account posts exactly
//   the debits that fit, every other one is refused INSUFFICIENT_FUNDS, and no posting ever leaves it
//   below its limit.
//
// Each transaction gets one outcome event (transactions.posted or transactions.rejected), and replaying the
// records later (other partitions) changes no outcome.
import { randomUUID } from "node:crypto";
import type { TopicId } from "@ledgerline/catalogue";
import type { TransactionPosted, TransactionRejected, TransactionValidated } from "@ledgerline/contracts";
import { payloadHash } from "@ledgerline/domain";
import { createIdempotentProducer, createReadCommittedConsumer } from "@ledgerline/kafka";
import { sql } from "@ledgerline/ledger-db";
import { RegistryCodec, RegistryError } from "@ledgerline/schema-registry";
import {
  assertLedgerInvariants,
  type Pipeline,
  type StageInstance,
  startPipeline,
  testEnvironment,
} from "@ledgerline/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const auth = { Authorization: "Bearer dev-key-change-me", "Content-Type": "application/json" };
const PARTITIONS = 6;
const KINDS = ["payment", "transfer", "cash_out", "debit"] as const;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A record produced straight onto transactions.validated, on a partition of the test's choosing. */
interface Direct {
  readonly value: TransactionValidated;
  readonly partition: number;
}

interface Content {
  readonly type: string;
  readonly account_id: string;
  readonly amount_minor: bigint;
  readonly merchant_name?: string;
  readonly counterparty_account_id?: string | null;
  readonly original_transaction_id?: string | null;
}

/** A validated record of client dev in USD, as the processor would write it. */
const validatedOf = (input: Content, transactionId: string = randomUUID()): TransactionValidated => {
  const content = {
    account_id: input.account_id,
    amount_minor: input.amount_minor,
    currency: "USD",
    merchant_name: input.merchant_name ?? "",
    type: input.type,
    counterparty_account_id: input.counterparty_account_id ?? null,
    original_transaction_id: input.original_transaction_id ?? null,
  };
  return {
    transaction_id: transactionId,
    ...content,
    occurred_at: new Date(Date.now() - 1_000),
    accepted_at: new Date(),
    client_id: "dev",
    idempotency_key: null,
    metadata: {},
    merchant_category: "other",
    base_currency: "USD",
    base_amount_minor: input.amount_minor,
    fx_rate: "1.000000000000",
    fx_rate_as_of: new Date(),
    risk_flags: [],
    payload_hash: payloadHash(content),
    validated_at: new Date(),
  };
};

describe("concurrent ledger decisions on two sinks with kills", () => {
  let pipeline: Pipeline;
  let second: StageInstance;
  let codec: RegistryCodec;
  /** Every transaction the tests put in the ledger (the invariants expect exactly these). */
  const inLedger: string[] = [];
  beforeAll(async () => {
    pipeline = await startPipeline("ledgerrace", undefined, {
      // Small batches: one original's refunds, one account's debits, spread over many batches and both sinks.
      appEnv: { "ledger-sink": { LEDGER_SINK_BATCH_SIZE: "8" } },
    });
    codec = new RegistryCodec({ url: testEnvironment().registryUrl, names: pipeline.namespace.names });
    // A second sink shares the partitions with the pipeline's own.
    second = pipeline.startInstance("ledger-sink", "1");
  });
  afterAll(() => pipeline?.stop());

  const pool = () => pipeline.database.pool;
  const names = () => pipeline.namespace.names;
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
      WHERE topic = ${names().topic("validated")} ORDER BY 1`)) as readonly string[];
  const bothSinksHold = async () => {
    const deadline = Date.now() + 30_000;
    while ((await holders()).length < 2) {
      if (Date.now() > deadline) throw new Error(`one sink holds every partition: ${await holders()}`);
      await sleep(200);
    }
  };
  /** Every partition of transactions.validated written into the ledger up to its end. */
  const caughtUp = async () => {
    const consumer = createReadCommittedConsumer(
      { bootstrapBrokers: testEnvironment().brokers, clientId: "ledgerrace-offsets" },
      `${pipeline.namespace.namespace}.offsets-${randomUUID()}`,
    );
    const topic = names().topic("validated");
    try {
      const ends = (await consumer.listOffsets({ topics: [topic] })).get(topic) ?? [];
      const stored = new Map(
        (
          (await pool().any(sql.unsafe`
            SELECT partition, next_offset FROM consumer_offsets
            WHERE group_id = ${names().group("ledgerSink")} AND topic = ${topic}`)) as readonly {
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
  const waitCaughtUp = async () => {
    const deadline = Date.now() + 30_000;
    while (!(await caughtUp())) {
      if (Date.now() > deadline) throw new Error("the sinks did not read the replays within 30 s");
      await sleep(200);
    }
  };
  /** Encodes as a foreign producer would, retrying like the stages do: on a loaded 2-core machine the
   *  registry has taken longer than the codec's 5 s to answer a lookup (CI, 2026-12-07). */
  const encodeValidated = async (values: readonly TransactionValidated[]) => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await codec.encodeMany("validated", values);
      } catch (error) {
        if (!(error instanceof RegistryError && error.retryable) || attempt === 5) throw error;
        await sleep(500);
      }
    }
  };
  /** Produces records onto transactions.validated, each on its partition + shift, as a foreign producer. */
  const produceDirect = async (records: readonly Direct[], shift: number) => {
    const values = await encodeValidated(records.map((d) => d.value));
    const producer = createIdempotentProducer({
      bootstrapBrokers: testEnvironment().brokers,
      clientId: "ledgerrace-direct",
    });
    try {
      await producer.send({
        messages: records.map((d, k) => ({
          topic: names().topic("validated"),
          key: d.value.account_id,
          value: values[k]!,
          partition: (d.partition + shift) % PARTITIONS,
        })),
      });
    } finally {
      await producer.close();
    }
  };
  /**
   * Sends the items through the gateway and the records straight onto transactions.validated in four waves
   * (each wave's both at once), a sink SIGKILLed and started again during each. Answers the gateway's ids,
   * in the items' order.
   */
  const raceWithKills = async (httpItems: readonly Record<string, unknown>[], direct: readonly Direct[]) => {
    const waves = 4;
    const ids: string[] = [];
    const kills: Promise<void>[] = [];
    for (let wave = 0; wave < waves; wave++) {
      const slice = httpItems.flatMap((_, k) => (k % waves === wave ? [k] : []));
      const sent = Promise.all([
        postBatch(slice.map((k) => httpItems[k]!)),
        produceDirect(
          direct.filter((_, k) => k % waves === wave),
          0,
        ),
      ]);
      await sleep(100 + Math.random() * 300);
      if (wave % 2 === 0) {
        kills.push(pipeline.restart("ledger-sink")); // SIGKILL, started again at once
      } else {
        await second.kill("SIGKILL");
        second = pipeline.startInstance("ledger-sink", "1");
      }
      const [httpIds] = await sent;
      httpIds.forEach((id, n) => {
        ids[slice[n]!] = id;
      });
    }
    await Promise.all(kills);
    return ids;
  };
  /** Every record of a topic, from its start to its end as it is now (read_committed), decoded. */
  const readTopic = async <T>(id: TopicId): Promise<T[]> => {
    const topic = names().topic(id);
    const consumer = createReadCommittedConsumer(
      { bootstrapBrokers: testEnvironment().brokers, clientId: "ledgerrace-outcomes" },
      `${pipeline.namespace.namespace}.outcomes-${randomUUID()}`,
    );
    try {
      const ends = (await consumer.listOffsets({ topics: [topic] })).get(topic) ?? [];
      if (ends.every((end) => end === 0n)) return [];
      const stream = await consumer.consume({ topics: [topic], mode: "earliest" });
      const reached = () => ends.every((end, p) => (stream.offsetsToFetch.get(`${topic}:${p}`) ?? 0n) >= end);
      // The last offsets may be transaction markers, never delivered: the positions tell the end is reached.
      const poll = setInterval(() => {
        if (reached()) void stream.close();
      }, 100);
      const deadline = setTimeout(() => stream.close(), 30_000);
      const values: Buffer[] = [];
      try {
        for await (const message of stream) {
          if (message.offset < (ends[message.partition] ?? 0n)) values.push(message.value);
        }
      } finally {
        clearInterval(poll);
        clearTimeout(deadline);
        await stream.close();
      }
      expect(reached(), `${topic} read to its end`).toBe(true);
      return Promise.all(values.map((value) => codec.decode<T>(id, value)));
    } finally {
      await consumer.close(true);
    }
  };
  /**
   * Each of `ids` has exactly one outcome event once the outbox is empty: a posted one on
   * transactions.posted (distinct event ids, as consumers deduplicate), a refused one on
   * transactions.rejected (distinct events: a relay that died between Kafka's commit and Postgres's
   * publishes the same outbox row again, identical), never both. Answers the duplicate records seen.
   */
  const assertOneOutcomeEvent = async (ids: readonly string[]) => {
    const deadline = Date.now() + 30_000;
    while ((await pool().oneFirst(sql.unsafe`SELECT count(*) FROM outbox`)) !== 0n) {
      if (Date.now() > deadline) throw new Error("the outbox did not empty within 30 s");
      await sleep(200);
    }
    const [posted, rejected] = await Promise.all([
      readTopic<TransactionPosted>("posted"),
      readTopic<TransactionRejected>("rejected"),
    ]);
    const wanted = new Set(ids);
    const distinct = <T>(events: readonly T[], idOf: (e: T) => string, key: (e: T) => string) => {
      const per = new Map<string, Set<string>>();
      let records = 0;
      for (const event of events) {
        if (!wanted.has(idOf(event))) continue;
        records += 1;
        per.set(idOf(event), (per.get(idOf(event)) ?? new Set()).add(key(event)));
      }
      const count = [...per.values()].reduce((n, set) => n + set.size, 0);
      return { per, duplicates: records - count };
    };
    const postedEvents = distinct(
      posted,
      (e) => e.transaction_id,
      (e) => e.event_id,
    );
    const rejectedEvents = distinct(
      rejected,
      (e) => e.transaction_id,
      (e) => JSON.stringify(e, (_, v) => (typeof v === "bigint" ? v.toString() : v)),
    );
    const outcome = await statuses(ids);
    const wrong = ids.flatMap((id) => {
      const p = postedEvents.per.get(id)?.size ?? 0;
      const r = rejectedEvents.per.get(id)?.size ?? 0;
      const status = outcome.get(id);
      const ok = status === "posted" ? p === 1 && r === 0 : status === "rejected" && p === 0 && r === 1;
      return ok ? [] : [`${id} ${status}: ${p} posted event(s), ${r} rejected event(s)`];
    });
    expect(wrong.slice(0, 10)).toEqual([]);
    return { posted: postedEvents.duplicates, rejected: rejectedEvents.duplicates };
  };

  it("each original takes floor(amount / refund) refunds, decided once, the rest refused", {
    timeout: 120_000,
  }, async () => {
    const ORIGINALS = 12;
    const ORIGINAL_MINOR = 1_000n;
    const REFUND_MINOR = 300n;
    /** Per original: half through the gateway, half straight onto transactions.validated (one per partition). */
    const HTTP_REFUNDS = 6;
    const DIRECT_REFUNDS = 6;
    const TAKEN = Number(ORIGINAL_MINOR / REFUND_MINOR); // 3 fit, 9 are refused
    const started = Date.now();

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
    inLedger.push(...originalIds);
    /** The transaction_id the client chose (every other original): refunds name it by either id. */
    const originals = originalItems.map((item, i) => ({
      ledgerId: originalIds[i]!,
      chosen: (item as { transaction_id?: string }).transaction_id ?? null,
      accountId: item.account_id,
    }));
    const originalStatus = await waitSettled(originalIds);
    expect([...originalStatus.values()].every((s) => s === "posted")).toBe(true);
    // Both sinks hold validated partitions before the refunds come.
    await bothSinksHold();

    // The refunds: per original, some through the gateway (its account's partition), some produced straight
    // onto transactions.validated, one on each partition, as a foreign producer would.
    const refundOf = (original: (typeof originals)[number], n: number) =>
      original.chosen !== null && n % 2 === 1 ? original.chosen : original.ledgerId;
    const direct: Direct[] = originals.flatMap((original, i) =>
      Array.from({ length: DIRECT_REFUNDS }, (_, n) => ({
        value: validatedOf({
          type: "refund",
          account_id: original.accountId,
          amount_minor: REFUND_MINOR,
          original_transaction_id: refundOf(original, n),
        }),
        partition: (i + n) % PARTITIONS,
      })),
    );
    const httpItems = originals.flatMap((original) =>
      Array.from({ length: HTTP_REFUNDS }, (_, n) => ({
        type: "refund",
        account_id: original.accountId,
        amount: "3.00",
        currency: "USD",
        original_transaction_id: refundOf(original, n),
      })),
    );

    const refundIds = [
      ...direct.map((d) => d.value.transaction_id),
      ...(await raceWithKills(httpItems, direct)),
    ];
    inLedger.push(...refundIds);
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
      // Every refund is recorded against its original, refused ones too (shown whole when one is not).
      const stray = await pool().any(sql.unsafe`
        SELECT transaction_id::text AS id, status, original_transaction_id::text AS original, rejection_reasons,
          dead_letter_reason
        FROM transactions
        WHERE transaction_id = ANY(${sql.array(refundIds, "uuid")})
          AND (original_transaction_id IS NULL
            OR NOT original_transaction_id = ANY(${sql.array(originalIds, "uuid")}))`);
      expect(stray).toEqual([]);
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
    await produceDirect(direct, 1);
    await waitCaughtUp();
    expect(await snapshot()).toEqual(decided);
    expect(await pool().oneFirst(sql.unsafe`SELECT count(*) FROM payload_conflicts`)).toBe(0n);
    await check();

    // Each refund's outcome is on a topic once: the refused ones on transactions.rejected too.
    const duplicates = await assertOneOutcomeEvent([...originalIds, ...refundIds]);
    await assertLedgerInvariants(pool(), inLedger, expect, pipeline.posted);
    // No app exited on its own (the test's kills aside).
    expect(pipeline.exits().filter((exit) => !exit.byTest)).toEqual([]);
    console.log(
      `concurrent refunds: ${refundIds.length} refunds decided in ${Date.now() - started} ms; ` +
        `duplicate outcome records (same event): ${duplicates.posted} posted, ${duplicates.rejected} rejected`,
    );
  });

  it("each limited account posts exactly the debits that fit, never goes below -limit, refuses the rest", {
    timeout: 120_000,
  }, async () => {
    const DEBIT_MINOR = 300n;
    /** Per account: its overdraft limit and what a cash_in puts on it first (0: nothing), in cents. */
    const ACCOUNTS = [
      { accountId: "ACC-OD-0", limit: "0.00", limitMinor: 0n, fundingMinor: 1_000n },
      { accountId: "ACC-OD-1", limit: "5.00", limitMinor: 500n, fundingMinor: 1_000n },
      { accountId: "ACC-OD-2", limit: "2.50", limitMinor: 250n, fundingMinor: 400n },
      { accountId: "ACC-OD-3", limit: "20.00", limitMinor: 2_000n, fundingMinor: 0n },
      { accountId: "ACC-OD-4", limit: "0.01", limitMinor: 1n, fundingMinor: 899n },
    ].map((a) => ({ ...a, fits: (a.fundingMinor + a.limitMinor) / DEBIT_MINOR }));
    /** Per account: half through the gateway, half straight onto transactions.validated (every partition). */
    const HTTP_DEBITS = 8;
    const DIRECT_DEBITS = 8;
    const DEBITS = HTTP_DEBITS + DIRECT_DEBITS;
    for (const a of ACCOUNTS) expect(a.fits).toBeLessThan(BigInt(DEBITS));
    const started = Date.now();

    // The limits, through the real endpoint (an account nothing was posted on yet gets its row at 0).
    for (const a of ACCOUNTS) {
      const response = await fetch(`${pipeline.gatewayUrl}/v1/accounts/${a.accountId}/limits`, {
        method: "PUT",
        headers: auth,
        body: JSON.stringify({ currency: "USD", overdraft_limit: a.limit }),
      });
      const body = (await response.json()) as {
        balances: { currency: string; overdraft_limit_minor: string | null }[];
      };
      expect(response.status, JSON.stringify(body)).toBe(200);
      expect(body.balances.find((b) => b.currency === "USD")?.overdraft_limit_minor).toBe(
        String(a.limitMinor),
      );
    }
    // The funding, posted before any debit is sent.
    const funded = ACCOUNTS.filter((a) => a.fundingMinor > 0n);
    const fundingIds = await postBatch(
      funded.map((a) => ({
        type: "cash_in",
        account_id: a.accountId,
        amount: (Number(a.fundingMinor) / 100).toFixed(2),
        currency: "USD",
      })),
    );
    inLedger.push(...fundingIds);
    expect([...(await waitSettled(fundingIds)).values()].every((s) => s === "posted")).toBe(true);
    await bothSinksHold();

    // The debits, of every kind, all of one amount: per account some through the gateway, some straight onto
    // transactions.validated, one on each partition, so different sinks decide one account's debits at once.
    const debitOf = (accountId: string, n: number) => {
      const kind = KINDS[n % KINDS.length]!;
      return {
        type: kind,
        account_id: accountId,
        ...(kind === "payment" ? { merchant_name: `OVERDRAFT SHOP ${n % 3}` } : {}),
        ...(kind === "transfer" ? { counterparty_account_id: `${accountId}-SAVINGS` } : {}),
      };
    };
    const direct: Direct[] = ACCOUNTS.flatMap((a, i) =>
      Array.from({ length: DIRECT_DEBITS }, (_, n) => ({
        value: validatedOf({ ...debitOf(a.accountId, n + 1), amount_minor: DEBIT_MINOR }),
        partition: (i + n) % PARTITIONS,
      })),
    );
    const httpItems = ACCOUNTS.flatMap((a) =>
      Array.from({ length: HTTP_DEBITS }, (_, n) => ({
        ...debitOf(a.accountId, n),
        amount: "3.00",
        currency: "USD",
      })),
    );
    const httpIds = await raceWithKills(httpItems, direct);
    const debitIds = [...direct.map((d) => d.value.transaction_id), ...httpIds];
    inLedger.push(...debitIds);
    expect(debitIds).toHaveLength(ACCOUNTS.length * DEBITS);
    expect(new Set(debitIds).size).toBe(debitIds.length);
    const outcome = await waitSettled(debitIds, 60_000);
    expect([...outcome.values()].filter((s) => s !== "posted" && s !== "rejected")).toEqual([]);
    const ledgerAccounts = ACCOUNTS.map((a) => `customer:dev:${a.accountId}`);

    /** Per account: posted debits, refused ones (INSUFFICIENT_FUNDS only), the balance and limit now. */
    const check = async (creditsMinor: bigint) => {
      const rows = (await pool().any(sql.unsafe`
        SELECT t.account_id,
          count(*) FILTER (WHERE t.status = 'posted') AS posted,
          count(*) FILTER (WHERE t.status = 'rejected' AND jsonb_array_length(t.rejection_reasons) = 1
            AND t.rejection_reasons->0->>'code' = 'INSUFFICIENT_FUNDS') AS refused,
          count(*) AS debits,
          sum((SELECT count(*) FROM postings p WHERE p.transaction_id = t.transaction_id))::bigint AS postings
        FROM transactions t
        WHERE t.transaction_id = ANY(${sql.array(debitIds, "uuid")})
        GROUP BY t.account_id ORDER BY 1`)) as readonly {
        account_id: string;
        posted: bigint;
        refused: bigint;
        debits: bigint;
        postings: bigint;
      }[];
      const balances = (await pool().any(sql.unsafe`
        SELECT ledger_account, balance_minor, overdraft_limit_minor, last_seq FROM account_balances
        WHERE ledger_account = ANY(${sql.array(ledgerAccounts, "text")}) AND currency = 'USD'
        ORDER BY 1`)) as readonly {
        ledger_account: string;
        balance_minor: bigint;
        overdraft_limit_minor: bigint | null;
        last_seq: bigint;
      }[];
      expect(rows.map((r) => r.account_id)).toEqual(ACCOUNTS.map((a) => a.accountId));
      ACCOUNTS.forEach((a, i) => {
        expect(rows[i], a.accountId).toEqual({
          account_id: a.accountId,
          posted: a.fits,
          refused: BigInt(DEBITS) - a.fits,
          debits: BigInt(DEBITS),
          postings: 2n * a.fits,
        });
        const balance = a.fundingMinor + creditsMinor - a.fits * DEBIT_MINOR;
        expect(balance).toBeGreaterThanOrEqual(-a.limitMinor);
        expect(balances[i], a.accountId).toMatchObject({
          ledger_account: `customer:dev:${a.accountId}`,
          balance_minor: balance,
          overdraft_limit_minor: a.limitMinor,
        });
      });
      // Every posting of these accounts, in account order: numbered 1..n without gap, each balance_after
      // the running sum, never below -limit, and created_at never going back.
      const postings = (await pool().any(sql.unsafe`
        SELECT ledger_account, account_seq, amount_minor, balance_after_minor, created_at
        FROM postings WHERE ledger_account = ANY(${sql.array(ledgerAccounts, "text")}) AND currency = 'USD'
        ORDER BY ledger_account, account_seq`)) as readonly {
        ledger_account: string;
        account_seq: bigint;
        amount_minor: bigint;
        balance_after_minor: bigint;
        created_at: number;
      }[];
      const wrong: string[] = [];
      ACCOUNTS.forEach((a, i) => {
        const own = postings.filter((p) => p.ledger_account === ledgerAccounts[i]);
        let running = 0n;
        own.forEach((p, n) => {
          running += p.amount_minor;
          const at = `${a.accountId} #${p.account_seq}`;
          if (p.account_seq !== BigInt(n + 1)) wrong.push(`${at}: expected #${n + 1}`);
          if (p.balance_after_minor !== running)
            wrong.push(`${at}: balance_after ${p.balance_after_minor}, sum ${running}`);
          if (p.balance_after_minor < -a.limitMinor)
            wrong.push(`${at}: ${p.balance_after_minor} below -${a.limitMinor}`);
          if (n > 0 && p.created_at < own[n - 1]!.created_at) wrong.push(`${at}: created_at goes back`);
        });
        if (BigInt(own.length) !== balances[i]?.last_seq)
          wrong.push(`${a.accountId}: last_seq ${balances[i]?.last_seq} for ${own.length} postings`);
      });
      expect(wrong).toEqual([]);
    };
    await check(0n);

    // Replays change nothing, even once every refused debit would fit: a cash_in to each account covering
    // all its debits, then every debit produced again straight onto transactions.validated (the gateway's
    // ones too, by their ids), each on another partition than before.
    const topUp = BigInt(DEBITS) * DEBIT_MINOR;
    const topUpIds = await postBatch(
      ACCOUNTS.map((a) => ({
        type: "cash_in",
        account_id: a.accountId,
        amount: (Number(topUp) / 100).toFixed(2),
        currency: "USD",
      })),
    );
    inLedger.push(...topUpIds);
    expect([...(await waitSettled(topUpIds)).values()].every((s) => s === "posted")).toBe(true);
    const snapshot = async () =>
      pool().any(sql.unsafe`
        SELECT transaction_id::text, status, rejection_reasons, recorded_at, posted_at
        FROM transactions WHERE transaction_id = ANY(${sql.array(debitIds, "uuid")}) ORDER BY transaction_id`);
    const decided = await snapshot();
    // (The gateway keeps a merchant name in capitals: these are sent so, and their content hash is the same.)
    const httpReplays: Direct[] = httpItems.map((item, k) => ({
      value: validatedOf({ ...(item as unknown as Content), amount_minor: DEBIT_MINOR }, httpIds[k]),
      partition: k % PARTITIONS,
    }));
    await produceDirect([...direct, ...httpReplays], 1);
    await waitCaughtUp();
    expect(await snapshot()).toEqual(decided);
    expect(await pool().oneFirst(sql.unsafe`SELECT count(*) FROM payload_conflicts`)).toBe(0n);
    await check(topUp);

    // Each debit's outcome is on a topic once: posted on transactions.posted, refused on transactions.rejected.
    const duplicates = await assertOneOutcomeEvent([...fundingIds, ...debitIds, ...topUpIds]);
    await assertLedgerInvariants(pool(), inLedger, expect, pipeline.posted);
    expect(pipeline.exits().filter((exit) => !exit.byTest)).toEqual([]);
    const refused = [...(await statuses(debitIds)).values()].filter((s) => s === "rejected").length;
    console.log(
      `concurrent debits: ${debitIds.length} debits of ${ACCOUNTS.length} limited accounts decided (${refused} refused) in ${Date.now() - started} ms; ` +
        `duplicate outcome records (same event): ${duplicates.posted} posted, ${duplicates.rejected} rejected`,
    );
  });
});
