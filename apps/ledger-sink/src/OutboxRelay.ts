// Publishes outbox rows to their topic: transactions.posted (keyed by account, in sequence order per
// account), transactions.rejected for the transactions the ledger refused (a refund its original cannot
// take, a debit past an overdraft limit), and the DLQ for the dead letters the sink raised. Avro through
// the registry.
//
// How rows are claimed: each pass holds one Postgres transaction that takes shard advisory locks
// (shard = hash(aggregate_id) mod SHARDS), selects unpublished rows of its shards in sequence order (the
// shard locks keep other relays off them: no row locks), publishes them in ONE Kafka transaction, then
// deletes them and commits (the topic is the record of what was published). No high-water mark: a row
// that commits late is still in the outbox and is found by the next pass. One relay per shard at a time
// keeps per-account order with many relays running.
// Several relays (one per sink instance) split the shards: each holds a membership slot on its LISTEN
// connection, and publishes every n-th shard from its rank among the n connected relays (relayShards), so
// they publish side by side instead of taking turns.
//
// Duplicates: a relay that dies after the Kafka commit but before the Postgres commit leaves its rows
// in the outbox, so the next pass publishes them again. transactions.posted is therefore at-least-once:
// each event carries its event_id (the outbox row id) and consumers deduplicate on it. The Kafka
// transaction still guarantees no partial batch is visible to read_committed consumers and fences a
// zombie relay with the same transactional id. An event that cannot be encoded is parked with its
// reason (`ledgerline outbox parked`, `ledgerline outbox retry`); the others are published.

import type { Names, TopicId } from "@ledgerline/catalogue";
import {
  beginTransaction,
  createTransactionalProducer,
  deadLetterHeaders,
  describeError,
  headerBuffers,
  isFencedOrFatal,
  type KafkaConnection,
  type RecordProducer,
} from "@ledgerline/kafka";
import {
  type ClaimedEvent,
  claimEvents,
  deletePublished,
  joinRelayMembers,
  LedgerDb,
  OUTBOX_CHANNEL,
  parkEvent,
  relayMembers,
  relayShards,
  toLedgerDbError,
} from "@ledgerline/ledger-db";
import { componentHealth, metrics } from "@ledgerline/observability";
import {
  classifyFault,
  type FaultReason,
  isRecordFault,
  type Renewal,
  RetryDecision,
  type SessionProgress,
  sessionLoop,
} from "@ledgerline/resilience";
import type { RegistryCodec } from "@ledgerline/schema-registry";
import { Effect } from "effect";
import { type Client as PgClient, default as pg } from "pg";
import { deadLetterFromJson } from "./domain/deadLetterJson.ts";
import { postedFromJson, rejectedFromJson } from "./domain/toLedgerRows.ts";
import { traceOutboxSends } from "./sinkTracing.ts";

export interface OutboxRelayOptions {
  readonly connection: KafkaConnection;
  readonly names: Names;
  readonly codec: RegistryCodec;
  /** For the LISTEN connection (a pool connection cannot wait for notifications). */
  readonly databaseUrl: string;
  readonly transactionalId: string;
  readonly batchSize: number;
  readonly pollMs: number;
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** Test hook: called after the Kafka commit, before the Postgres commit (the duplicate window). */
  readonly afterPublish?: (count: number) => Promise<void>;
}

export const runOutboxRelay = (options: OutboxRelayOptions) =>
  Effect.gen(function* () {
    const db = yield* LedgerDb;
    const topic = options.names.topic("posted");
    const state: {
      producer: RecordProducer;
      wake: (() => void) | undefined;
      listener: PgClient | undefined;
      /** This relay's membership slot, held by the listener's session (undefined while it is down). */
      slot: number | undefined;
      /** The producer failed a transaction (or could not begin one after a fencing): renew it before the next pass. */
      producerBroken: boolean;
    } = {
      producer: createTransactionalProducer(options.connection, options.transactionalId),
      wake: undefined,
      listener: undefined,
      slot: undefined,
      producerBroken: false,
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
        if (state.listener === client) {
          state.listener = undefined;
          state.slot = undefined;
        }
        client.end().catch(() => undefined);
      });
      client.on("notification", () => state.wake?.());
      try {
        await client.connect();
        await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
        state.slot = await joinRelayMembers((text, values) => client.query(text, values));
      } catch (error) {
        await client.end().catch(() => undefined);
        throw error;
      }
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

    // An event the relay cannot encode (a registry that refuses it, a payload that does not fit the schema)
    // is parked with its reason: it must not hold back every event behind it. A registry outage is not the
    // event's fault: it fails the pass (retried), nothing is parked.
    const encode = async (event: ClaimedEvent) => {
      try {
        if (event.event_type === "DeadLetter") {
          const envelope = deadLetterFromJson(event.payload);
          // Headers too, so a dead letter is readable without our Avro decoder (derived, not stored).
          const headers = deadLetterHeaders(envelope);
          return { event, value: await options.codec.encode("dlq", envelope), headers, parked: undefined };
        }
        const value =
          event.event_type === "TransactionRejected"
            ? await options.codec.encode("rejected", rejectedFromJson(event.payload))
            : await options.codec.encode("posted", postedFromJson(event.payload));
        return { event, value, headers: {}, parked: undefined };
      } catch (error) {
        if (!isRecordFault(error)) throw error;
        return { event, value: undefined, headers: {}, parked: describeError(error) };
      }
    };

    /** One pass: claim, publish in one Kafka transaction, mark, commit. Returns events published. */
    const publishOnce = () =>
      db.pool.transaction(async (tx) => {
        const shards = relayShards(state.slot, state.slot === undefined ? [] : await relayMembers(tx));
        const events = await claimEvents(tx, options.batchSize, shards);
        if (events.length === 0) return 0;
        const encoded = await Promise.all(events.map(encode));
        const parked = encoded.flatMap((e) =>
          e.parked !== undefined ? [{ event: e.event, reason: e.parked }] : [],
        );
        for (const { event, reason } of parked) {
          await parkEvent(tx, event.event_id, reason);
          metrics.outboxParkedTotal.inc({ topic: event.topic_id });
        }
        const messages = encoded.flatMap((e) =>
          e.value !== undefined
            ? [
                {
                  topic: options.names.topic(e.event.topic_id as TopicId),
                  key: e.event.aggregate_id,
                  value: e.value,
                  // The trace of the record that led here continues on the published event (through
                  // the relay's send span when tracing is on).
                  headers: headerBuffers({
                    ...e.headers,
                    ...(e.event.traceparent ? { traceparent: e.event.traceparent } : {}),
                  }),
                },
              ]
            : [],
        );
        if (messages.length > 0) {
          // Begun inside the try: a begin that fails (the transaction coordinator's broker was just lost)
          // must not leave a half-begun transaction on the producer, which would refuse every later begin.
          let kafkaTx: Awaited<ReturnType<typeof beginTransaction>> | undefined;
          let committing = false;
          const traced = traceOutboxSends(messages);
          try {
            kafkaTx = await beginTransaction(state.producer);
            await kafkaTx.send({ messages: traced?.messages ?? messages });
            committing = true;
            await kafkaTx.commit();
            traced?.end();
          } catch (error) {
            traced?.end(error);
            // The next pass publishes with a new producer: its epoch fences whatever this transaction still
            // has in flight (a late produce, or a timed-out EndTxn, would otherwise land in the next
            // transaction: KAFKA-17754). Aborted first, unless its EndTxn was sent: never two with one epoch.
            if (kafkaTx && !committing) await kafkaTx.abort().catch(() => undefined);
            if (kafkaTx || isFencedOrFatal(error)) state.producerBroken = true;
            throw error;
          }
          await options.afterPublish?.(messages.length);
        }
        await deletePublished(
          tx,
          encoded.flatMap((e) => (e.value !== undefined ? [e.event.event_id] : [])),
        );
        return events.length;
      });

    // Kafka and registry errors classify as themselves; what the generic classifier does not know came
    // from Postgres, whose errors ledger-db classifies by SQLSTATE.
    const relayFault = (error: unknown) => {
      const fault = classifyFault(error);
      return fault.reason === "Defect" ? classifyFault(toLedgerDbError(error, "outbox relay pass")) : fault;
    };
    // Every fault is retried here, fatal ones included: the relay's only job is to drain the outbox, and
    // each pass is a fresh transaction on both sides. Fenced: a new producer re-initialises the id.
    const relayPolicy = (reason: FaultReason) =>
      RetryDecision.Retry({ renew: reason === "Fenced" ? ["producer"] : [] });
    const renewProducer = async (renewals: readonly Renewal[]) => {
      // A transaction the producer still holds (a failed commit or abort) would refuse every later begin.
      const stuck = state.producer.transaction !== undefined;
      if (!stuck && !state.producerBroken && !renewals.includes("producer")) return;
      const old = state.producer;
      state.producer = createTransactionalProducer(options.connection, options.transactionalId);
      state.producerBroken = false;
      await old.close(true).catch(() => undefined);
    };
    const health = componentHealth("outbox-relay");
    /** One pass; a pass that published (or found nothing to publish) starts the backoff over. */
    const pass = (progress: SessionProgress) =>
      Effect.tryPromise({
        try: async () => {
          await listen().catch(() => undefined);
          const published = await publishOnce();
          health.ready("publishing");
          progress.made();
          if (published < options.batchSize) await waitForWork();
          return published;
        },
        catch: (error) => error,
      });
    health.starting("connecting");
    yield* Effect.logInfo("outbox relay started").pipe(Effect.annotateLogs({ topic }));
    return yield* sessionLoop(pass, {
      health,
      what: "outbox relay pass failed",
      retry: { baseMs: options.retryBaseMs, maxMs: options.retryMaxMs },
      classify: relayFault,
      policy: relayPolicy,
      renew: renewProducer,
    });
  });
