// What the sink cannot write, or cannot publish, never stops the rest and never vanishes: a record the
// database refuses ends as a dead_lettered row with its id; an outbox event the relay cannot encode is
// parked with its reason; the sink's own dead letters wait in the outbox while the registry is down.
import type { DeadLetter } from "@ledgerline/contracts";
import { getTransaction, sql } from "@ledgerline/ledger-db";
import { RegistryCodec } from "@ledgerline/schema-registry";
import {
  createTestDatabase,
  createTestNamespace,
  type TestDatabase,
  ThrowawayRegistry,
  testEnvironment,
} from "@ledgerline/testkit";
import { afterEach, describe, expect, it } from "vitest";
import { produce, readTopic, runOpsCli, sleep, startSink, validated, waitFor } from "./helpers.ts";

const statusOf = async (db: TestDatabase, id: string) => (await getTransaction(db.pool, id))?.status;

describe("what the ledger cannot take", () => {
  const cleanups: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
  });
  const fresh = async (label: string, services?: { bootstrapServers: string; registryUrl: string }) => {
    const [ns, db] = await Promise.all([
      createTestNamespace(label, {
        only: ["validated", "rejected", "dlq", "posted"],
        ...(services ? { environment: services } : {}),
      }),
      createTestDatabase(label),
    ]);
    cleanups.push(
      () => ns.cleanup(),
      () => db.cleanup(),
    );
    return { ns, db };
  };

  it("a record the database refuses ends as a dead_lettered row with its id and reason; GET shows it", {
    timeout: 90_000,
  }, async () => {
    const { ns, db } = await fresh("refused");
    // A foreign producer's record: Avro carries the NUL byte, Postgres jsonb cannot (22P05).
    const bad = validated({ account_id: "ACC-1", metadata: { note: "nul\u0000byte" } });
    const good = [validated({ account_id: "ACC-1" }), validated({ account_id: "ACC-1" })];
    await produce(
      ns,
      [good[0]!, bad, good[1]!].map((value) => ({
        topicId: "validated" as const,
        key: value.account_id,
        value,
      })),
    );
    const sink = startSink(ns, db.url, { relay: true });
    cleanups.push(() => sink.stop());
    await waitFor(
      "all three in the ledger",
      async () => (await db.pool.oneFirst(sql.unsafe`SELECT count(*) FROM transactions`)) === 3n,
      60_000,
      sink.assertAlive,
    );
    for (const g of good) expect(await statusOf(db, g.transaction_id)).toBe("posted");
    const row = await getTransaction(db.pool, bad.transaction_id);
    expect(row?.status).toBe("dead_lettered");
    expect(row?.dead_letter_reason).toMatch(/^LEDGER_REFUSED \(ledger-sink\): INVALID_DATA: .*null byte/);
    // And the DLQ has it, with its transaction id (not null), for ops to replay after a fix.
    const dlq = await readTopic<DeadLetter>(ns, "dlq", 1, 30_000);
    expect(dlq.map((d) => [d.value.reason_code, d.value.transaction_id])).toEqual([
      ["LEDGER_REFUSED", bad.transaction_id],
    ]);
    // The relay's dead letter carries the Connect-named headers too (readable without Avro).
    const letter = dlq[0]!.value;
    expect(dlq[0]!.headers).toMatchObject({
      "__connect.errors.topic": ns.names.topic("validated"),
      "__connect.errors.partition": String(letter.original_partition),
      "__connect.errors.offset": String(letter.original_offset),
      "__connect.errors.stage": "ledger-sink",
      "__connect.errors.exception.class.name": letter.error_class,
      "__connect.errors.exception.message": letter.error_message,
      "ledgerline.dlq.reason": "LEDGER_REFUSED",
    });
  });

  it("a poisoned outbox row is parked with its reason and the others are published", {
    timeout: 90_000,
  }, async () => {
    const { ns, db } = await fresh("poison");
    await db.pool.query(sql.unsafe`
      INSERT INTO outbox (event_id, aggregate_id, topic_id, event_type, payload)
      VALUES ('00000000-0000-4000-8000-00000000dead', 'ACC-1', 'posted', 'TransactionPosted', '{"amount_minor":"not a number"}')`);
    const records = [validated({ account_id: "ACC-1" }), validated({ account_id: "ACC-1" })];
    await produce(
      ns,
      records.map((value) => ({ topicId: "validated" as const, key: value.account_id, value })),
    );
    const sink = startSink(ns, db.url, { relay: true });
    cleanups.push(() => sink.stop());
    const posted = await readTopic(ns, "posted", 2, 30_000);
    expect(posted).toHaveLength(2);
    const parked =
      await db.pool.one(sql.unsafe`SELECT parked_at IS NOT NULL AS parked, park_reason FROM outbox
      WHERE event_id = '00000000-0000-4000-8000-00000000dead'`);
    expect(parked).toMatchObject({ parked: true, park_reason: expect.stringMatching(/\S/) });
    const env = {
      KAFKA_BOOTSTRAP_SERVERS: testEnvironment().bootstrapServers,
      SCHEMA_REGISTRY_URL: testEnvironment().registryUrl,
      DATABASE_URL: db.url,
      LEDGERLINE_NAMESPACE: ns.namespace,
    };
    const listed = await runOpsCli(["outbox", "parked"], env);
    expect(listed.stdout).toContain("00000000-0000-4000-8000-00000000dead");
    const retried = await runOpsCli(
      ["outbox", "retry", "--event", "00000000-0000-4000-8000-00000000dead"],
      env,
    );
    expect(retried.stdout).toContain("1 event(s) back in line");
  });

  it("dead letters the sink raises wait in the outbox while the registry is down; the batch is written at once", {
    timeout: 180_000,
  }, async () => {
    const registry = await ThrowawayRegistry.create();
    cleanups.push(() => registry.destroy());
    const services = { bootstrapServers: testEnvironment().bootstrapServers, registryUrl: registry.url };
    const { ns, db } = await fresh("regdown", services);
    const first = validated({ account_id: "ACC-1" });
    const conflicting = validated({
      transaction_id: first.transaction_id,
      account_id: "ACC-1",
      amount_minor: 7n,
    });
    const later = validated({ account_id: "ACC-2" });
    // Encoded while the registry answers; produced while it is down.
    const codec = new RegistryCodec({ url: registry.url, names: ns.names });
    const [conflictBytes, laterBytes] = await codec.encodeMany("validated", [conflicting, later]);
    await produce(ns, [{ topicId: "validated", key: first.account_id, value: first }], services);
    const sink = startSink(ns, db.url, { relay: true, services });
    cleanups.push(() => sink.stop());
    await waitFor(
      "the first record posted",
      async () => (await statusOf(db, first.transaction_id)) === "posted",
      60_000,
      sink.assertAlive,
    );
    await registry.stop();
    await produce(
      ns,
      [
        { topicId: "validated", key: "ACC-1", value: conflictBytes as Buffer },
        { topicId: "validated", key: "ACC-2", value: laterBytes as Buffer },
      ],
      services,
    );
    // The batch goes in at once: the later record is posted, the conflict recorded, its dead letter queued.
    await waitFor(
      "the later record posted",
      async () => (await statusOf(db, later.transaction_id)) === "posted",
      20_000,
      sink.assertAlive,
    );
    expect(await db.pool.oneFirst(sql.unsafe`SELECT count(*) FROM payload_conflicts`)).toBe(1n);
    expect(await db.pool.oneFirst(sql.unsafe`SELECT count(*) FROM outbox WHERE topic_id = 'dlq'`)).toBe(1n);
    await registry.start();
    await waitFor(
      "the dead letter published",
      async () => (await db.pool.oneFirst(sql.unsafe`SELECT count(*) FROM outbox`)) === 0n,
      60_000,
      sink.assertAlive,
    );
    await sleep(1_000);
    const dlq = await readTopic<DeadLetter>(ns, "dlq", (seen) => seen.length >= 1, 20_000, services);
    expect(dlq.map((d) => d.value.reason_code)).toEqual(["PAYLOAD_CONFLICT"]);
  });
});
