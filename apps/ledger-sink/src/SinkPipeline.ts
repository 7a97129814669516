// The ledger sink's loop. Sessions run one after another (pipeline/readSession.ts): each reads from the
// positions stored in Postgres and applies batches (pipeline/applyBatch.ts: decode, one Postgres
// transaction per batch, then Kafka's offsets for lag and the metrics). A new assignment ends a session
// normally and the next one starts at once; a failure goes through the shared session loop (classify,
// report, renew the consumer if the policy asks, back off) or stops the sink if it is fatal.
import { claimInstanceId, createReadCommittedConsumer, RenewableConsumer } from "@ledgerline/kafka";
import { componentHealth } from "@ledgerline/observability";
import { sessionLoop } from "@ledgerline/resilience";
import { Effect } from "effect";
import type { WriteResult } from "./domain/writePlan.ts";
import { BlockedPartitions } from "./pipeline/BlockedPartitions.ts";
import type { SinkContext, SinkPipelineOptions } from "./pipeline/context.ts";
import { IdlePositions } from "./pipeline/IdlePositions.ts";
import { readSession } from "./pipeline/readSession.ts";

export type { SinkPipelineOptions, WriteResult };

export const runSinkPipeline = (options: SinkPipelineOptions) =>
  Effect.gen(function* () {
    const retry = { baseMs: options.retryBaseMs, maxMs: options.retryMaxMs };
    const health = componentHealth("ledger-sink");
    health.starting("resuming from stored offsets");

    // Renewed when the retry policy asks (a failed rejoin, a restarted broker) or it failed on its own.
    const consumers = new RenewableConsumer({
      create: () =>
        createReadCommittedConsumer(options.connection, options.groupId, {
          maxWaitTimeMs: options.fetchMaxWaitMs,
          groupInstanceId: options.groupInstanceId,
        }),
    });
    yield* Effect.addFinalizer(() => Effect.promise(() => consumers.close()));

    // Before joining as the static member: refuse to start while a live process has this instance id.
    if (options.groupInstanceId !== undefined) {
      yield* claimInstanceId({
        connection: options.connection,
        groupId: options.groupId,
        groupInstanceId: options.groupInstanceId,
        variable: "LEDGER_SINK_INSTANCE_ID",
        health,
        retry,
      });
    }

    const context: SinkContext = {
      options,
      topics: [options.names.topic("validated"), options.names.topic("rejected"), options.names.topic("dlq")],
      health,
      instanceId: options.instanceId ?? "0",
      retry,
      consumers,
    };
    const state = { blocked: new BlockedPartitions(), idle: new IdlePositions(options.groupId) };
    // A committed batch starts the backoff over.
    return yield* sessionLoop((progress) => readSession(context, state, progress), {
      health,
      what: "ledger-sink session ended",
      retry,
      renew: (renewals) => consumers.renew(renewals),
    });
  });
