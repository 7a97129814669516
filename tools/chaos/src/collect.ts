// What the checker reads at the end, from the outside: the ledger in Postgres, and every topic of the
// pipeline in Kafka, read_committed (and validated/rejected read_uncommitted too, to see aborted output).
// The topics are read by topicReads.ts; the ledger here.
import { names } from "@ledgerline/catalogue";
import type { KafkaConnection } from "@ledgerline/kafka";
import {
  checkBalances,
  checkLimits,
  checkPostings,
  checkStatements,
  createLedgerPool,
  type DatabasePool,
  kindViolations,
  sql,
} from "@ledgerline/ledger-db";
import { endLag } from "./endLag.ts";
import type { LimitSet } from "./limits.ts";
import type { LimitedPosting, Observations, SentTransaction } from "./observations.ts";
import { readTopics } from "./topicReads.ts";

export interface LedgerTiming {
  readonly id: string;
  readonly status: string;
  /** Epoch ms (the gateway's accepted_at, the sink's posted_at or recorded_at). */
  readonly acceptedAt: number | null;
  readonly postedAt: number | null;
}

export interface Collected {
  readonly observations: Observations;
  readonly timings: readonly LedgerTiming[];
  readonly ledgerCounts: Readonly<Record<string, number>>;
}

/** Offending rows kept per ledger check (all are counted by the checks). */
const FINDINGS_KEPT = 10_000;

const countBy = (ids: readonly string[]) => {
  const counts = new Map<string, number>();
  for (const id of ids) counts.set(id, (counts.get(id) ?? 0) + 1);
  return counts;
};

export interface CollectOptions {
  readonly connection: KafkaConnection;
  readonly registryUrl: string;
  readonly databaseUrl: string;
  readonly accepted: ReadonlyMap<string, readonly string[]>;
  /** What the clients sent, by transaction id. */
  readonly sent: ReadonlyMap<string, SentTransaction>;
  /** The overdraft limits the run set before the load. */
  readonly limits: readonly LimitSet[];
}

export const collect = async (options: CollectOptions): Promise<Collected> => {
  const resolved = names("");
  const {
    requested,
    validated,
    processorRejected,
    dlq,
    abortedOnly,
    outputTransactions,
    transactions,
    refusalEvents,
    postedEvents,
  } = await readTopics(options.connection, options.registryUrl, resolved);

  const pool: DatabasePool = await createLedgerPool(options.databaseUrl, { maximumPoolSize: 2 });
  try {
    const acceptedIds = [...new Set([...options.accepted.values()].flat())];
    const rows = (await pool.any(sql.unsafe`
      SELECT transaction_id::text AS id, status,
        (extract(epoch FROM accepted_at) * 1000)::float8 AS accepted_at,
        (extract(epoch FROM coalesce(posted_at, recorded_at)) * 1000)::float8 AS posted_at,
        ARRAY(SELECT r->>'code' FROM jsonb_array_elements(coalesce(rejection_reasons, '[]')) r) AS reasons,
        original_transaction_id::text AS original_id, refunded_minor::float8 AS refunded_minor
      FROM transactions WHERE transaction_id = ANY(${sql.array(acceptedIds, "uuid")})`)) as readonly {
      id: string;
      status: string;
      accepted_at: number | null;
      posted_at: number | null;
      reasons: readonly string[];
      original_id: string | null;
      refunded_minor: number;
    }[];
    // Every posted refund of the originals the clients refunded, those whose 202 they never got included.
    const originalIds = [
      ...new Set([...options.sent.values()].flatMap((s) => (s.refund ? [s.refund.originalId] : []))),
    ];
    const postedRefunds = (await pool.any(sql.unsafe`
      SELECT original_transaction_id::text AS original_id, transaction_id::text AS id,
        amount_minor::float8 AS amount_minor
      FROM transactions
      WHERE type = 'refund' AND status = 'posted'
        AND original_transaction_id = ANY(${sql.array(originalIds, "uuid")})`)) as readonly {
      original_id: string;
      id: string;
      amount_minor: number;
    }[];
    const refundsOf = new Map<string, { id: string; amountMinor: number }[]>();
    for (const r of postedRefunds)
      refundsOf.set(r.original_id, [
        ...(refundsOf.get(r.original_id) ?? []),
        { id: r.id, amountMinor: r.amount_minor },
      ]);
    const violations = await kindViolations(pool, 100);
    // The ledger's own checks (ledger-db ledgerChecks.ts), as `ledgerline reconcile` and the tests run them.
    const unbalanced = (await checkPostings(pool, FINDINGS_KEPT)).offenders.map((o) => o.id);
    const mismatches = (await checkBalances(pool, FINDINGS_KEPT)).offenders.map((o) => o.id);
    const named = (o: { id: string; detail: string }) => `${o.id}: ${o.detail}`;
    const statementFindings = (await checkStatements(pool, FINDINGS_KEPT)).offenders.map(named);
    const limitFindings = (await checkLimits(pool, FINDINGS_KEPT)).offenders.map(named);
    // The limited accounts: their balance rows at the end, and every posting of theirs in account order.
    const limitedAccounts = options.limits.map((l) => l.ledgerAccount);
    const limitRows = (await pool.any(sql.unsafe`
      SELECT ledger_account, currency, overdraft_limit_minor::float8 AS limit_minor,
        floor(extract(epoch FROM limit_updated_at) * 1000)::float8 AS limit_at,
        balance_minor::float8 AS balance_minor
      FROM account_balances WHERE ledger_account = ANY(${sql.array(limitedAccounts, "text")})`)) as readonly {
      ledger_account: string;
      currency: string;
      limit_minor: number | null;
      limit_at: number | null;
      balance_minor: number;
    }[];
    const limitedPostings = new Map<string, LimitedPosting[]>();
    const postingRows = (await pool.any(sql.unsafe`
      SELECT ledger_account, currency, transaction_id::text AS id, account_seq::float8 AS seq,
        amount_minor::float8 AS amount_minor, balance_after_minor::float8 AS balance_after_minor,
        floor(extract(epoch FROM created_at) * 1000)::float8 AS created_at
      FROM postings WHERE ledger_account = ANY(${sql.array(limitedAccounts, "text")})
      ORDER BY ledger_account, currency, account_seq`)) as readonly {
      ledger_account: string;
      currency: string;
      id: string;
      seq: number;
      amount_minor: number;
      balance_after_minor: number;
      created_at: number;
    }[];
    for (const row of postingRows) {
      const key = `${row.ledger_account} ${row.currency}`;
      limitedPostings.set(key, [
        ...(limitedPostings.get(key) ?? []),
        {
          transactionId: row.id,
          seq: row.seq,
          amountMinor: row.amount_minor,
          balanceAfterMinor: row.balance_after_minor,
          createdAtMs: row.created_at,
        },
      ]);
    }
    // Every INSUFFICIENT_FUNDS refusal, with the account the transaction would have debited: its own for
    // the kinds that debit it, a transfer's receiving account for a refund of that transfer.
    const insufficient = (await pool.any(sql.unsafe`
      SELECT t.transaction_id::text AS id, t.currency,
        CASE WHEN t.type IN ('payment', 'transfer', 'cash_out', 'debit')
            THEN 'customer:' || t.client_id || ':' || t.account_id
          WHEN t.type = 'refund' AND o.type = 'transfer'
            THEN 'customer:' || o.client_id || ':' || o.counterparty_account_id END AS debit_account
      FROM transactions t
      LEFT JOIN transactions o ON o.transaction_id = t.original_transaction_id
      WHERE t.status = 'rejected'
        AND t.rejection_reasons @> '[{"code": "INSUFFICIENT_FUNDS"}]'::jsonb`)) as readonly {
      id: string;
      currency: string;
      debit_account: string | null;
    }[];
    // A posted transaction's event is still in the outbox, or was published (its row deleted): distinct
    // event ids per transaction over both (a relay crash may publish one event id twice).
    const waiting = (await pool.any(sql.unsafe`
      SELECT payload->>'transaction_id' AS id, event_id::text AS event_id FROM outbox
      WHERE topic_id = 'posted'`)) as readonly {
      id: string;
      event_id: string;
    }[];
    const eventIds = new Map<string, Set<string>>();
    const see = (id: string, eventId: string) =>
      eventIds.set(id, (eventIds.get(id) ?? new Set()).add(eventId));
    for (const row of waiting) see(row.id, row.event_id);
    for (const [id, events] of postedEvents) for (const eventId of events) see(id, eventId);
    const statuses = (await pool.any(sql.unsafe`
      SELECT status, count(*)::int AS n FROM transactions GROUP BY status`)) as readonly {
      status: string;
      n: number;
    }[];
    const unpublished = (await pool.oneFirst(sql.unsafe`SELECT count(*)::int FROM outbox`)) as number;

    // Lag at the end: the processor's group in Kafka, the sink's positions in Postgres, the outbox.
    const lag = await endLag(options.connection, pool, resolved);
    return {
      observations: {
        accepted: options.accepted,
        sent: options.sent,
        ledger: new Map(
          rows.map((row) => [
            row.id,
            {
              status: row.status,
              reasons: row.reasons,
              originalId: row.original_id,
              refundedMinor: row.refunded_minor,
            },
          ]),
        ),
        unbalancedTransactions: unbalanced,
        balanceMismatches: mismatches,
        outboxEvents: new Map([...eventIds].map(([id, events]) => [id, events.size])),
        requested: countBy(requested),
        processed: countBy([...validated, ...processorRejected, ...dlq]),
        outputTransactions,
        abortedOnly,
        transactions,
        postedEvents,
        postedRefunds: refundsOf,
        kindViolations: violations,
        statementFindings,
        limitFindings,
        limits: options.limits.map((set) => {
          const row = limitRows.find(
            (r) => r.ledger_account === set.ledgerAccount && r.currency === set.currency,
          );
          return {
            clientId: set.clientId,
            accountId: set.accountId,
            ledgerAccount: set.ledgerAccount,
            currency: set.currency,
            setMinor: set.limitMinor,
            setAtMs: set.updatedAtMs,
            endMinor: row?.limit_minor ?? null,
            endAtMs: row?.limit_at ?? null,
            balanceMinor: row?.balance_minor ?? 0,
          };
        }),
        limitedPostings,
        ledgerRejections: new Map(
          [...refusalEvents].map(([id, seen]) => [
            id,
            { records: seen.records, events: [...seen.events.values()] },
          ]),
        ),
        insufficientFunds: insufficient.map((r) => ({
          id: r.id,
          currency: r.currency,
          debitAccount: r.debit_account,
        })),
        lag: [...lag, { group: "outbox", topic: "outbox", partition: 0, lag: unpublished }],
      },
      timings: rows.map((row) => ({
        id: row.id,
        status: row.status,
        acceptedAt: row.accepted_at,
        postedAt: row.posted_at,
      })),
      ledgerCounts: Object.fromEntries(statuses.map((s) => [s.status, s.n])),
    };
  } finally {
    await pool.end();
  }
};
