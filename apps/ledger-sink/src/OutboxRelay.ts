// Publishes outbox rows to transactions.posted (Avro, keyed by account, in sequence order per account).
//
// How rows are claimed: each pass holds one Postgres transaction that takes shard advisory locks
// (shard = hash(aggregate_id) mod SHARDS), selects unpublished rows of its shards in sequence order
// FOR UPDATE SKIP LOCKED, publishes them in ONE Kafka transaction, then marks them published and
// commits. No high-water mark: a row that commits late is still `published_at IS NULL` and is found
// by the next pass. One relay per shard at a time keeps per-account order with many relays running.
//
// Duplicates: a relay that dies after the Kafka commit but before the Postgres commit leaves its rows
// unpublished, so the next pass publishes them again. transactions.posted is therefore at-least-once:
// each event carries its event_id (the outbox row id) and consumers deduplicate on it. The Kafka
// transaction still guarantees no partial batch is visible to read_committed consumers and fences a
// zombie relay with the same transactional id.

import {
  createTransactionalProducer,
  describeError,
  isFencedOrFatal,
  type KafkaConnection,
  type RecordProducer,
} from "@ledgerline/kafka";
import { LedgerDb, sql, toLedgerDbError } from "@ledgerline/ledger-db";
import { componentHealth } from "@ledgerline/observability";
import { backoff, classifyFault, reportFault } from "@ledgerline/resilience";
import type { RegistryCodec } from "@ledgerline/schema-registry";
import type { Names } from "@ledgerline/topology";
import { Effect } from "effect";
import { type Client as PgClient, default as pg } from "pg";
import { postedFromJson } from "./domain/toLedgerRows.ts";
import { OUTBOX_CHANNEL } from "./LedgerWriter.ts";

export const OUTBOX_SHARDS = 16;
/** Namespace of the relay's advisory locks (first key of pg_try_advisory_xact_lock(int, int)). */
const LOCK_CLASS = 0x0b0c5;

export interface OutboxRelayOptions {
  readonly connection: KafkaConnection;
  readonly names: Names;
  readonly codec: RegistryCodec;
  /** For the LISTEN connection (a pool connection cannot wait for notifications). */
  readonly databaseUrl: string;
  readonly transactionalId: string;
  readonly batchSize: number;
  readonly pollMs: number;
  readonly retentionHours: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** Test hook: called after the Kafka commit, before the Postgres commit (the duplicate window). */
  readonly afterPublish?: (count: number) => Promise<void>;
}

interface OutboxEvent {
  readonly event_id: string;
  readonly aggregate_id: string;
  readonly payload: Record<string, unknown>;
  readonly traceparent: string | null;
}

class RelayFailure extends Error {
  override readonly name = "RelayFailure";
  readonly fatal: boolean;
  constructor(message: string, fatal: boolean, options?: ErrorOptions) {
    super(message, options);
    this.fatal = fatal;
  }
}

export const runOutboxRelay = (options: OutboxRelayOptions) =>
  Effect.gen(function* () {
    const db = yield* LedgerDb;
    const topic = options.names.topic("posted");
    const state: {
      producer: RecordProducer;
      wake: (() => void) | undefined;
      listener: PgClient | undefined;
    } = {
      producer: createTransactionalProducer(options.connection, options.transactionalId),
      wake: undefined,
      listener: undefined,
    };
    yield* Effect.addFinalizer(() =>
      Effect.promise(async () => {
        await state.producer.close().catch(() => undefined);
        await state.listener?.end().catch(() => undefined);
      }),
    );

    // LISTEN for the sink's NOTIFY; if the connection drops, polling covers until it is back.
    const listen = async () => {
      if (state.listener) return;
      const client = new pg.Client({ connectionString: options.databaseUrl, connectionTimeoutMillis: 5_000 });
      client.on("error", () => {
        state.listener = undefined;
        client.end().catch(() => undefined);
      });
      client.on("notification", () => state.wake?.());
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      state.listener = client;
    };

    const waitForWork = () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(done, options.pollMs);
        function done() {
          clearTimeout(timer);
          state.wake = undefined;
          resolve();
        }
        state.wake = done;
      });

    /** One pass: claim, publish in one Kafka transaction, mark, commit. Returns rows published. */
    const publishOnce = () =>
      db.pool.transaction(async (tx) => {
        const shards = (await tx.anyFirst(sql.unsafe`
          SELECT s FROM generate_series(0, ${OUTBOX_SHARDS - 1}) AS s
          WHERE pg_try_advisory_xact_lock(${LOCK_CLASS}, hashtext(current_schema()) # s)`)) as number[];
        if (shards.length === 0) return 0;
        const rows = (await tx.any(sql.unsafe`
          SELECT event_id, aggregate_id, payload, traceparent FROM outbox
          WHERE published_at IS NULL
            AND mod(abs(hashtext(aggregate_id)), ${OUTBOX_SHARDS}) = ANY(${sql.array(shards, "int4")})
          ORDER BY sequence
          LIMIT ${options.batchSize}
          FOR UPDATE SKIP LOCKED`)) as readonly OutboxEvent[];
        if (rows.length === 0) return 0;
        const messages = await Promise.all(
          rows.map(async (row) => ({
            topic,
            key: row.aggregate_id,
            value: await options.codec.encode("posted", postedFromJson(row.payload)),
            // The trace of the POST that led here continues on transactions.posted.
            headers: row.traceparent ? { traceparent: Buffer.from(row.traceparent) } : undefined,
          })),
        );
        const kafkaTx = await state.producer.beginTransaction();
        try {
          await kafkaTx.send({ messages });
          await kafkaTx.commit();
        } catch (error) {
          const abortError = await kafkaTx.abort().then(
            () => undefined,
            (e: unknown) => e,
          );
          throw new RelayFailure(describeError(error), abortError !== undefined || isFencedOrFatal(error), {
            cause: error,
          });
        }
        await options.afterPublish?.(rows.length);
        await tx.query(sql.unsafe`
          UPDATE outbox SET published_at = now() WHERE event_id = ANY(${sql.array(
            rows.map((r) => r.event_id),
            "uuid",
          )})`);
        return rows.length;
      });

    const cleanup = () =>
      db.pool.query(sql.unsafe`
        DELETE FROM outbox
        WHERE published_at IS NOT NULL AND published_at < now() - make_interval(secs => ${options.retentionHours * 3600})`);

    // Kafka and registry errors classify as themselves; what the generic classifier does not know came
    // from Postgres, whose errors ledger-db classifies by SQLSTATE.
    const relayFault = (error: unknown) => {
      const cause = error instanceof RelayFailure ? error.cause : error;
      const fault = classifyFault(cause);
      return fault.reason === "Defect" ? classifyFault(toLedgerDbError(cause, "outbox relay pass")) : fault;
    };
    const health = componentHealth("outbox-relay");
    let lastCleanup = 0;
    const pass = Effect.tryPromise({
      try: async () => {
        await listen().catch(() => undefined);
        if (Date.now() - lastCleanup > 60_000) {
          lastCleanup = Date.now();
          await cleanup();
        }
        const published = await publishOnce();
        health.ready("publishing");
        if (published < options.batchSize) await waitForWork();
        return published;
      },
      catch: (error) => error,
    }).pipe(
      Effect.tapError((error) =>
        Effect.gen(function* () {
          const fault = relayFault(error);
          yield* reportFault(health, fault, "outbox relay pass failed");
          if (error instanceof RelayFailure ? error.fatal : fault.reason === "Fenced") {
            // Fenced or unusable producer: a new one re-initialises the transactional id.
            const old = state.producer;
            state.producer = createTransactionalProducer(options.connection, options.transactionalId);
            yield* Effect.promise(() => old.close(true).catch(() => undefined));
          }
        }),
      ),
      // Every fault is retried here, fatal ones included: the relay's only job is to drain the outbox,
      // and each pass is a fresh transaction on both sides.
      Effect.retry({ schedule: backoff({ baseMs: options.retryBaseMs, maxMs: options.retryMaxMs }) }),
    );
    health.starting("connecting");
    yield* Effect.logInfo("outbox relay started").pipe(Effect.annotateLogs({ topic }));
    yield* Effect.forever(pass);
  });
