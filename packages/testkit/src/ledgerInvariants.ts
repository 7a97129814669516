// The ledger invariants every crash, restart and fault test ends with, checked in Postgres.
import { type DatabasePool, kindViolations, sql } from "@ledgerline/ledger-db";
import { type PostedEvent, type PostedTopic, readPostedEvents } from "./publishedEvents.ts";

type Expect = (value: unknown) => { toBe(v: unknown): void; toEqual(v: unknown): void };

/**
 * Exactly `expectIds` are in the ledger, once each; every posted transaction has two postings summing to
 * zero, and every posting belongs to a posted transaction; every balance equals the sum of its postings;
 * one event per posted transaction (in the outbox, or on transactions.posted, where a relay crash may have
 * published it twice under the same event id); each posting is a leg its kind books, refunds never exceed
 * their originals, and every customer account is owned by exactly one client (ledgerChecks.ts).
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
  const badPostings = await pool.anyFirst(sql.unsafe`
    SELECT t.transaction_id FROM transactions t LEFT JOIN postings p USING (transaction_id)
    WHERE t.status = 'posted' GROUP BY t.transaction_id
    HAVING count(p.transaction_id) <> 2 OR coalesce(sum(p.amount_minor), 1) <> 0 LIMIT 5`);
  expect(badPostings).toEqual([]);
  const orphanPostings = await pool.anyFirst(sql.unsafe`
    SELECT p.transaction_id FROM postings p LEFT JOIN transactions t USING (transaction_id)
    WHERE t.status IS DISTINCT FROM 'posted' LIMIT 5`);
  expect(orphanPostings).toEqual([]);
  const badBalances = await pool.anyFirst(sql.unsafe`
    SELECT coalesce(b.ledger_account, p.ledger_account) FROM account_balances b
    FULL JOIN (SELECT ledger_account, currency, sum(amount_minor) AS s FROM postings GROUP BY 1, 2) p
      USING (ledger_account, currency)
    WHERE b.balance_minor IS DISTINCT FROM p.s LIMIT 5`);
  expect(badBalances).toEqual([]);
  expect(await kindViolations(pool)).toEqual({ wrongLegs: [], refundsOverOriginal: [], sharedAccounts: [] });
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
  expect([...postedIds].filter((id) => !eventsOf.has(id)).slice(0, 5)).toEqual([]);
  expect([...eventsOf].filter(([, events]) => events.size !== 1).slice(0, 5)).toEqual([]);
  expect([...eventsOf.keys()].filter((id) => !postedIds.has(id)).slice(0, 5)).toEqual([]);
};
