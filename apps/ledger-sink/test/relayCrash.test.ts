// SIGKILL the outbox relay (a child process) while it publishes; afterwards every outbox event is on
// transactions.posted (read_committed), duplicates only as documented (same event_id), order per account kept.
import type { TransactionPosted } from "@ledgerline/contracts";
import { sql } from "@ledgerline/ledger-db";
import {
  createTestDatabase,
  createTestNamespace,
  freePort,
  type TestDatabase,
  type TestNamespace,
} from "@ledgerline/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postedToJson } from "../src/domain/toLedgerRows.ts";
import { readTopic, sleep, spawnApp, validated, waitFor } from "./helpers.ts";

const EVENTS = 2_000;

/** Puts `count` TransactionPosted events over 23 accounts in the outbox, unpublished. */
const fillOutbox = async (db: TestDatabase, count: number) => {
  const events = Array.from({ length: count }, (_, i) => {
    const v = validated({ account_id: `ACC-${i % 23}`, amount_minor: BigInt(i + 1) });
    const payload: TransactionPosted = {
      event_id: crypto.randomUUID(),
      transaction_id: v.transaction_id,
      account_id: v.account_id,
      amount_minor: v.amount_minor,
      currency: v.currency,
      base_amount_minor: v.base_amount_minor,
      base_currency: v.base_currency,
      merchant_name: v.merchant_name,
      merchant_category: v.merchant_category,
      debit_account: `customer:${v.client_id}:${v.account_id}`,
      credit_account: "merchant:X",
      risk_flags: [],
      type: "payment",
      counterparty_account_id: null,
      original_transaction_id: null,
      occurred_at: v.occurred_at,
      posted_at: new Date(),
    };
    return {
      event_id: payload.event_id,
      aggregate_id: payload.account_id,
      event_type: "TransactionPosted",
      payload: postedToJson(payload),
    };
  });
  await db.pool.query(sql.unsafe`
    INSERT INTO outbox (event_id, aggregate_id, event_type, payload)
    SELECT o.event_id, o.aggregate_id, o.event_type, o.payload
    FROM jsonb_to_recordset(${sql.jsonb(events.map((e, n) => ({ ...e, n })) as never)})
      AS o(event_id uuid, aggregate_id text, event_type text, payload jsonb, n int) ORDER BY o.n`);
  return events;
};

describe("outbox relay crash recovery", () => {
  let ns: TestNamespace;
  let db: TestDatabase;
  beforeAll(async () => {
    [ns, db] = await Promise.all([
      createTestNamespace("relaycrash", { only: ["posted"] }),
      createTestDatabase("relaycrash"),
    ]);
  });
  afterAll(async () => {
    await Promise.all([ns?.cleanup(), db?.cleanup()]);
  });

  it("publishes every event at least once, in order per account, across SIGKILLs", {
    timeout: 90_000,
  }, async () => {
    const events = await fillOutbox(db, EVENTS);

    const env = { LEDGERLINE_NAMESPACE: ns.namespace, DATABASE_URL: db.url, OUTBOX_RELAY_BATCH_SIZE: "10" };
    // Published rows are deleted in the transaction that published them.
    const publishedCount = async () =>
      BigInt(EVENTS) - ((await db.pool.oneFirst(sql.unsafe`SELECT count(*) FROM outbox`)) as bigint);
    for (let kill = 0; kill < 4; kill++) {
      const relay = await spawnApp("relay.ts", env);
      // Kill at a random moment once this instance is publishing (start-up time varies with load).
      const before = await publishedCount();
      await waitFor(
        "the relay to make progress",
        async () => (await publishedCount()) > before,
        30_000,
      ).catch(() => undefined);
      await sleep(Math.random() * 150);
      await relay.kill("SIGKILL");
    }
    const published = await publishedCount();
    expect(published).toBeGreaterThan(0n);
    expect(published).toBeLessThan(BigInt(EVENTS));
    const final = await spawnApp("relay.ts", env);
    try {
      await waitFor(
        "relay to drain the outbox",
        async () => ((await db.pool.oneFirst(sql.unsafe`SELECT count(*) FROM outbox`)) as bigint) === 0n,
        45_000,
      );
    } finally {
      await final.kill("SIGTERM");
    }

    // Read until every event was seen once (a fixed short read could stop early on a loaded machine).
    const missing = new Set(events.map((e) => e.event_id));
    const all = await readTopic<TransactionPosted>(
      ns,
      "posted",
      (seen) => {
        // Called after each record: only the newest one needs checking.
        missing.delete((seen.at(-1) as { value: TransactionPosted }).value.event_id);
        return missing.size === 0;
      },
      30_000,
    );
    const firstSeen = new Map<string, number>();
    all.forEach((record, index) => {
      if (!firstSeen.has(record.value.event_id)) firstSeen.set(record.value.event_id, index);
    });
    expect(new Set(firstSeen.keys())).toEqual(new Set(events.map((e) => e.event_id)));
    const duplicates = all.length - firstSeen.size;
    console.log(
      `relay crash test: ${all.length} records read from transactions.posted, ${duplicates} duplicates (same event_id)`,
    );
    // Every duplicate is byte-identical in meaning: same event id, same transaction.
    for (const record of all) expect(record.key).toBe(record.value.account_id);
    // Per account, first occurrences follow the outbox (sequence) order.
    const expectedOrder = new Map<string, string[]>();
    for (const e of events)
      expectedOrder.set(e.aggregate_id, [...(expectedOrder.get(e.aggregate_id) ?? []), e.event_id]);
    const seenOrder = new Map<string, string[]>();
    const seen = new Set<string>();
    for (const record of all) {
      if (seen.has(record.value.event_id)) continue;
      seen.add(record.value.event_id);
      seenOrder.set(record.key, [...(seenOrder.get(record.key) ?? []), record.value.event_id]);
    }
    expect(seenOrder).toEqual(expectedOrder);
  });
  it("two relays split the shards and publish side by side", { timeout: 90_000 }, async () => {
    await db.pool.query(sql.unsafe`DELETE FROM outbox`);
    const events = await fillOutbox(db, 3_000);
    const ports = [await freePort(), await freePort()];
    const relays = await Promise.all(
      ports.map((port, i) =>
        spawnApp("relay.ts", {
          LEDGERLINE_NAMESPACE: ns.namespace,
          DATABASE_URL: db.url,
          LEDGER_SINK_INSTANCE_ID: `split-${i}`,
          LEDGER_SINK_METRICS_PORT: String(port),
          OUTBOX_RELAY_BATCH_SIZE: "20",
        }),
      ),
    );
    const published = async (port: number) => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      const line = text
        .split("\n")
        .find(
          (l) =>
            l.startsWith("ledgerline_kafka_records_produced_total{") && l.includes('stage="outbox-relay"'),
        );
      return Number(line?.split(" ").at(-1) ?? 0);
    };
    try {
      await waitFor(
        "both relays to drain the outbox",
        async () => ((await db.pool.oneFirst(sql.unsafe`SELECT count(*) FROM outbox`)) as bigint) === 0n,
        60_000,
      );
      const counts = await Promise.all(ports.map(published));
      console.log(
        `relay split test: the two relays published ${counts.join(" and ")} of ${events.length} events`,
      );
      // Each relay publishes its own half of the shards (the other's while it was not yet connected).
      expect(counts[0]! + counts[1]!).toBeGreaterThanOrEqual(events.length);
      for (const count of counts) expect(count).toBeGreaterThan(events.length / 5);
    } finally {
      await Promise.all(relays.map((relay) => relay.kill("SIGTERM")));
    }
  });
});
