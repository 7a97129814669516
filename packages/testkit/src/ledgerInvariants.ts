// The ledger invariants every crash, restart and fault test ends with, checked in Postgres.
import { checkEvents, type DatabasePool, reconcileLedger, sql } from "@ledgerline/ledger-db";
import { type PostedEvent, type PostedTopic, readPostedEvents } from "./publishedEvents.ts";

type Expect = (value: unknown) => { toBe(v: unknown): void; toEqual(v: unknown): void };

/**
 * Exactly `expectIds` are in the ledger, once each; every posted transaction has two postings summing to
 * zero, and every posting belongs to a posted transaction; every balance equals the sum of its postings;
 * one event per posted transaction (in the outbox, or on transactions.posted, where a relay crash may have
 * published it twice under the same event id); each posting is a leg its kind books, refunds never exceed
 * their originals, and every customer account is owned by exactly one client: the checks of
 * ledger-db's ledgerChecks.ts, which `ledgerline reconcile` runs too.
 */
export const assertLedgerInvariants = async (
  pool: DatabasePool,
  expectIds: readonly string[],
  expect: Expect,
  /** Where the relay publishes: every posted transaction's event is read back from it. */
  published: PostedTopic,
) => {
  const counts = (await pool.one(sql.unsafe`
    SELECT count(*) AS rows, count(DISTINCT transaction_id) AS ids,
      count(*) FILTER (WHERE status = 'posted') AS posted FROM transactions`)) as {
    rows: bigint;
    ids: bigint;
    posted: bigint;
  };
  expect(counts.rows).toBe(BigInt(expectIds.length));
  expect(counts.ids).toBe(BigInt(expectIds.length));
  const missing = await pool.anyFirst(sql.unsafe`
    SELECT id FROM unnest(${sql.array(expectIds, "uuid")}) AS id
    WHERE NOT EXISTS (SELECT 1 FROM transactions t WHERE t.transaction_id = id) LIMIT 5`);
  expect(missing).toEqual([]);
  // The ledger's own checks (ledger-db ledgerChecks.ts), the ones `ledgerline reconcile` runs.
  for (const check of await reconcileLedger(pool, { limit: 5 }))
    expect({ check: check.name, offenders: check.offenders }).toEqual({ check: check.name, offenders: [] });
  // One event per posted transaction: still in the outbox, or published (and deleted) by the relay. A relay
  // that died between Kafka's commit and Postgres's may have published an event twice: same event id.
  const waiting = (await pool.any(sql.unsafe`
    SELECT event_id::text, payload->>'transaction_id' AS transaction_id FROM outbox
    WHERE topic_id = 'posted'`)) as readonly PostedEvent[];
  const postedIds = new Set(
    (await pool.anyFirst(
      sql.unsafe`SELECT transaction_id::text FROM transactions WHERE status = 'posted'`,
    )) as readonly string[],
  );
  const eventsOf = new Map<string, Set<string>>();
  const see = (event: PostedEvent) =>
    eventsOf.set(event.transaction_id, (eventsOf.get(event.transaction_id) ?? new Set()).add(event.event_id));
  waiting.forEach(see);
  let unseen = [...postedIds].filter((id) => !eventsOf.has(id)).length;
  await readPostedEvents(published, (read) => {
    const event = read.at(-1);
    if (event) {
      if (postedIds.has(event.transaction_id) && !eventsOf.has(event.transaction_id)) unseen -= 1;
      see(event);
    }
    return unseen === 0;
  });
  const read = [...eventsOf].flatMap(([transaction_id, events]) =>
    [...events].map((event_id) => ({ transaction_id, event_id })),
  );
  const events = await checkEvents(pool, [read], 5);
  expect({ check: events.name, offenders: events.offenders }).toEqual({ check: events.name, offenders: [] });
};
