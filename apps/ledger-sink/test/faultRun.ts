// The setup the sink's fault tests share: a namespace and database per suite, a stream of payments
// produced slowly while the fault happens, and the check that the stored positions reached the end.

import type { TransactionValidated } from "@ledgerline/contracts";
import { type DatabasePool, sql } from "@ledgerline/ledger-db";
import {
  createTestDatabase,
  createTestNamespace,
  type TestDatabase,
  type TestNamespace,
} from "@ledgerline/testkit";
import { afterAll, beforeAll, expect } from "vitest";
import {
  assertLedgerInvariants,
  endOffsets,
  postedTopic,
  produce,
  sleep,
  storedOffsets,
  validated,
} from "./helpers.ts";

/** A namespace with the sink's topics and a database of their own, made before the suite and dropped after. */
export const sinkSuite = (label: string) => {
  const suite = {} as { ns: TestNamespace; db: TestDatabase };
  beforeAll(async () => {
    [suite.ns, suite.db] = await Promise.all([
      createTestNamespace(label, { only: ["validated", "rejected", "dlq", "posted"] }),
      createTestDatabase(label),
    ]);
  });
  afterAll(async () => {
    await Promise.all([suite.ns?.cleanup(), suite.db?.cleanup()]);
  });
  return suite;
};

/** `count` valid payments spread over `accounts` accounts (and `merchants` merchants, if given). */
export const payments = (
  count: number,
  spread: { accounts: number; merchants?: number; firstAmount: number },
): TransactionValidated[] =>
  Array.from({ length: count }, (_, i) =>
    validated({
      account_id: `ACC-${i % spread.accounts}`,
      amount_minor: BigInt(spread.firstAmount + i),
      base_amount_minor: BigInt(spread.firstAmount + i),
      ...(spread.merchants === undefined ? {} : { merchant_name: `M${i % spread.merchants}` }),
    }),
  );

/**
 * Produces `records` to validated in chunks, a pause after each, so that faults land while records
 * still arrive; the first `repeats` of every chunk go twice, as an at-least-once upstream would send them.
 */
export const produceSlowly = (
  ns: TestNamespace,
  records: readonly TransactionValidated[],
  pace: { chunk: number; repeats: number; pauseMs: number },
) => {
  let finished = false;
  const done = (async () => {
    for (let i = 0; i < records.length; i += pace.chunk) {
      const chunk = records.slice(i, i + pace.chunk);
      await produce(
        ns,
        [...chunk, ...chunk.slice(0, pace.repeats)].map((value) => ({
          topicId: "validated" as const,
          key: value.account_id,
          value,
        })),
      );
      await sleep(pace.pauseMs);
    }
    finished = true;
  })();
  return { done, finished: () => finished };
};

/** How many transactions the ledger holds. */
export const appliedCount = async (pool: DatabasePool) =>
  (await pool.oneFirst(sql.unsafe`SELECT count(*) FROM transactions`)) as bigint;

/** Every partition's stored position is the end of validated: nothing left to apply, nothing skipped. */
const expectPositionsAtEnd = async (pool: DatabasePool, ns: TestNamespace) => {
  const [ends, stored] = await Promise.all([endOffsets(ns, ["validated"]), storedOffsets(pool, ns)]);
  for (const [topic, partitions] of ends) {
    partitions.forEach((end, partition) => {
      expect(stored.get(`${topic}:${partition}`) ?? 0n, `${topic}[${partition}]`).toBe(end);
    });
  }
};

/** Every record is in the ledger exactly once (every invariant holds) and the positions are at the end. */
export const expectAppliedOnce = async (
  pool: DatabasePool,
  ns: TestNamespace,
  records: readonly TransactionValidated[],
) => {
  await assertLedgerInvariants(
    pool,
    records.map((r) => r.transaction_id),
    expect,
    postedTopic(ns),
  );
  await expectPositionsAtEnd(pool, ns);
};
