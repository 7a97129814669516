// The sink against the real broker, registry and Postgres: validated, rejected, duplicate,
// conflicting, undecodable and dead-lettered records each end up where they belong.
import type { DeadLetter, TransactionPosted } from "@ledgerline/contracts";
import { sql } from "@ledgerline/ledger-db";
import {
  createTestDatabase,
  createTestNamespace,
  type TestDatabase,
  type TestNamespace,
} from "@ledgerline/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { WriteResult } from "../src/domain/writePlan.ts";
import {
  caughtUp,
  deadLetter,
  produce,
  readTopic,
  rejected,
  startSink,
  validated,
  waitFor,
} from "./helpers.ts";

describe("ledger sink", () => {
  let ns: TestNamespace;
  let db: TestDatabase;
  beforeAll(async () => {
    [ns, db] = await Promise.all([createTestNamespace("sink"), createTestDatabase("sink")]);
  });
  afterAll(async () => {
    await Promise.all([ns?.cleanup(), db?.cleanup()]);
  });

  const a1 = validated({ account_id: "ACC-1", amount_minor: 1000n, base_amount_minor: 1000n });
  const a2 = validated({
    account_id: "ACC-1",
    amount_minor: 250n,
    base_amount_minor: 250n,
    merchant_name: "Cafe",
  });
  const b1 = validated({
    account_id: "ACC-2",
    amount_minor: 5000n,
    currency: "JPY",
    base_amount_minor: 3300n,
    merchant_name: "Cafe",
  });
  const r1 = rejected({ account_id: "ACC-3" });
  const conflicting = validated({
    transaction_id: a2.transaction_id,
    account_id: "ACC-1",
    amount_minor: 999_999n,
    merchant_name: "Cafe",
  });
  const dlqId = "6b1f0b7a-5b7e-4c59-9a0e-1f2a3b4c5d6e";

  it("posts, rejects, deduplicates, records conflicts and dead letters", { timeout: 60_000 }, async () => {
    await produce(ns, [
      { topicId: "validated", key: a1.account_id, value: a1 },
      { topicId: "validated", key: a2.account_id, value: a2 },
      { topicId: "validated", key: b1.account_id, value: b1 },
      { topicId: "rejected", key: r1.account_id, value: r1 },
      { topicId: "validated", key: a1.account_id, value: a1 }, // at-least-once duplicate
      { topicId: "validated", key: conflicting.account_id, value: conflicting },
      { topicId: "validated", key: "ACC-9", value: Buffer.from("not avro at all") },
      { topicId: "dlq", key: "ACC-4", value: deadLetter(dlqId) },
    ]);
    const sink = startSink(ns, db.url, { relay: true });
    try {
      // Caught up on all three inputs, including the dead letters the sink itself raised: the relay publishes
      // them to the dlq topic, which the sink reads too, so the check that it caught up comes after the outbox
      // drained (otherwise they are left for the next test's sink to read).
      await waitFor("the relay to publish and the sink to catch up", async () => {
        const dlqs = (await db.pool.oneFirst(sql.unsafe`SELECT count(*) FROM payload_conflicts`)) as bigint;
        const outbox = (await db.pool.oneFirst(sql.unsafe`SELECT count(*) FROM outbox`)) as bigint;
        return (
          dlqs === 1n && outbox === 0n && (await caughtUp(db.pool, ns, ["validated", "rejected", "dlq"]))
        );
      });
    } finally {
      await sink.stop();
    }

    const rows = (await db.pool.any(sql.unsafe`
      SELECT transaction_id, status, amount_minor, rejection_reasons, dead_letter_reason, fx_rate
      FROM transactions ORDER BY transaction_id`)) as readonly Record<string, unknown>[];
    const byId = new Map(rows.map((row) => [row.transaction_id as string, row]));
    expect(rows).toHaveLength(5);
    expect(byId.get(a1.transaction_id)).toMatchObject({
      status: "posted",
      amount_minor: 1000n,
      fx_rate: "1.000000000000",
    });
    expect(byId.get(a2.transaction_id)).toMatchObject({ status: "posted", amount_minor: 250n });
    expect(byId.get(b1.transaction_id)).toMatchObject({ status: "posted", amount_minor: 5000n });
    expect(byId.get(r1.transaction_id)).toMatchObject({
      status: "rejected",
      rejection_reasons: [
        { code: "CURRENCY_UNSUPPORTED", field: "currency", message: "XXX is not supported" },
      ],
    });
    expect(byId.get(dlqId)?.status).toBe("dead_lettered");
    expect(byId.get(dlqId)?.dead_letter_reason).toContain("ENRICHMENT_FAILED");

    const postings = (await db.pool.any(sql.unsafe`
      SELECT transaction_id, count(*) AS n, sum(amount_minor)::bigint AS total FROM postings GROUP BY transaction_id, currency`)) as readonly {
      n: bigint;
      total: bigint;
    }[];
    expect(postings).toHaveLength(3);
    for (const p of postings) expect(p).toMatchObject({ n: 2n, total: 0n });

    const balances = (await db.pool.any(
      sql.unsafe`SELECT ledger_account, currency, balance_minor FROM account_balances ORDER BY 1, 2`,
    )) as readonly unknown[];
    expect(balances).toEqual([
      { ledger_account: "customer:test:ACC-1", currency: "USD", balance_minor: -1250n },
      { ledger_account: "customer:test:ACC-2", currency: "JPY", balance_minor: -5000n },
      { ledger_account: "merchant:ACME BOOKS", currency: "USD", balance_minor: 1000n },
      { ledger_account: "merchant:CAFE", currency: "JPY", balance_minor: 5000n },
      { ledger_account: "merchant:CAFE", currency: "USD", balance_minor: 250n },
    ]);
    const mismatched = await db.pool.anyFirst(sql.unsafe`
      SELECT b.ledger_account FROM account_balances b
      LEFT JOIN (SELECT ledger_account, currency, sum(amount_minor) AS s FROM postings GROUP BY 1, 2) p USING (ledger_account, currency)
      WHERE b.balance_minor IS DISTINCT FROM p.s`);
    expect(mismatched).toEqual([]);

    // Three transactions.posted events and the two dead letters the sink raised were published after the
    // commit (read below), and their outbox rows deleted as they were published.
    expect(await db.pool.oneFirst(sql.unsafe`SELECT count(*) FROM outbox`)).toBe(0n);
    const conflict = await db.pool.one(
      sql.unsafe`SELECT transaction_id, existing_hash, new_hash, original_topic FROM payload_conflicts`,
    );
    expect(conflict).toMatchObject({
      transaction_id: a2.transaction_id,
      existing_hash: a2.payload_hash,
      new_hash: conflicting.payload_hash,
      original_topic: ns.names.topic("validated"),
    });

    const dlq = await readTopic<DeadLetter>(ns, "dlq", 3);
    const fromSink = dlq.filter((r) => r.value.stage === "ledger-sink").map((r) => r.value);
    expect(fromSink.map((d) => d.reason_code).sort()).toEqual(["NOT_WIRE_FORMAT", "PAYLOAD_CONFLICT"]);
    const conflictLetter = fromSink.find((d) => d.reason_code === "PAYLOAD_CONFLICT");
    expect(conflictLetter).toMatchObject({
      transaction_id: a2.transaction_id,
      retryable: false,
      original_offset: expect.any(BigInt),
    });
    expect(conflictLetter?.attempts).toBeGreaterThanOrEqual(1);

    const posted = await readTopic<TransactionPosted>(ns, "posted", 3);
    expect(posted.map((p) => p.value.transaction_id).sort()).toEqual(
      [a1, a2, b1].map((t) => t.transaction_id).sort(),
    );
    const acc1 = posted.filter((p) => p.key === "ACC-1").map((p) => p.value.transaction_id);
    expect(acc1).toEqual([a1.transaction_id, a2.transaction_id]);
    expect(posted.find((p) => p.value.transaction_id === b1.transaction_id)?.value).toMatchObject({
      amount_minor: 5000n,
      currency: "JPY",
      debit_account: "customer:test:ACC-2",
      credit_account: "merchant:CAFE",
    });
  });

  it("resumes from Postgres offsets when they are ahead of Kafka's committed ones", {
    timeout: 60_000,
  }, async () => {
    // Rewind Kafka's committed offsets for the sink group to zero: a crash between the database
    // commit and the Kafka commit looks like this. Nothing may be read again.
    const { createAdmin } = await import("@ledgerline/kafka");
    const { connection } = await import("./helpers.ts");
    const admin = createAdmin(connection(`${ns.namespace}-admin`));
    try {
      const topics = ["validated", "rejected", "dlq"] as const;
      await admin.alterConsumerGroupOffsets({
        groupId: ns.names.group("ledgerSink"),
        topics: topics.map((id) => ({
          name: ns.names.topic(id),
          partitionOffsets: Array.from({ length: id === "dlq" ? 3 : 6 }, (_, partition) => ({
            partition,
            offset: 0n,
          })),
        })),
      });
    } finally {
      await admin.close();
    }
    const batches: WriteResult[] = [];
    const extra = validated({ account_id: "ACC-1", amount_minor: 1n, base_amount_minor: 1n });
    const sink = startSink(ns, db.url, { onBatch: (r) => batches.push(r) });
    try {
      await produce(ns, [{ topicId: "validated", key: extra.account_id, value: extra }]);
      await waitFor("the new record", async () => batches.some((b) => b.posted === 1));
    } finally {
      await sink.stop();
    }
    expect(batches.reduce((n, b) => n + b.alreadyApplied + b.duplicates + b.conflicts, 0)).toBe(0);
    expect(batches.reduce((n, b) => n + b.posted, 0)).toBe(1);
    expect(
      await db.pool.oneFirst(sql.unsafe`SELECT count(*) FROM transactions WHERE status = 'posted'`),
    ).toBe(4n);
  });
});
