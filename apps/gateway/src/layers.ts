// Wires the Effect services (Kafka producer, registry encoder, ledger reads and limits) into the app's services.
import { LedgerDb } from "@ledgerline/ledger-db";
import { type Duration, Effect, Layer, ManagedRuntime, Redacted, Scope } from "effect";
import { GatewayConfig } from "./Config.ts";
import { AccountLimits } from "./services/AccountLimits.ts";
import { ConsoleFeed } from "./services/ConsoleFeed.ts";
import type { GatewayServices } from "./services/index.ts";
import { LedgerReads } from "./services/LedgerReads.ts";
import { PipelineStatus } from "./services/PipelineStatus.ts";
import { Registry } from "./services/Registry.ts";
import { RequestedProducer } from "./services/RequestedProducer.ts";

const ledgerDbLayer = Layer.unwrap(
  Effect.gen(function* () {
    const { connections } = yield* GatewayConfig;
    return LedgerDb.layer({
      databaseUrl: Redacted.value(connections.databaseUrl),
      maximumPoolSize: 8,
      connectionTimeoutMs: 2_000,
    });
  }),
);

/** Everything the gateway needs, given a GatewayConfig layer. */
export const gatewayLayer = <E>(config: Layer.Layer<GatewayConfig, E>) =>
  ConsoleFeed.layer.pipe(
    Layer.provideMerge(
      Layer.mergeAll(
        Registry.layer,
        PipelineStatus.layer.pipe(Layer.provideMerge(RequestedProducer.layer)),
        // One pool for both: the reads and the gateway's only writes (overdraft limits).
        Layer.mergeAll(LedgerReads.layer, AccountLimits.layer).pipe(Layer.provide(ledgerDbLayer)),
      ),
    ),
    Layer.provideMerge(config),
  );

export interface GatewayRuntime {
  readonly services: GatewayServices;
  /** Drains in-flight produces, closes the producer and the pool. */
  dispose(): Promise<void>;
}

/** The app's services out of the built layer. */
const collectServices = Effect.gen(function* () {
  const { settings } = yield* GatewayConfig;
  return {
    settings,
    registry: yield* Registry,
    producer: yield* RequestedProducer,
    ledger: yield* LedgerReads,
    limits: yield* AccountLimits,
    pipeline: yield* PipelineStatus,
    console: yield* ConsoleFeed,
  } satisfies GatewayServices;
});

/** The services, built in the caller's scope (interruptible while they wait for Kafka or Postgres). Closing
 *  the scope disposes them, bounded by `closeWithin`: past it the close is a defect. */
export const gatewayServices = <E>(config: Layer.Layer<GatewayConfig, E>, closeWithin: Duration.Input) =>
  Effect.gen(function* () {
    const scope = yield* Effect.acquireRelease(Scope.make(), (scope, exit) =>
      Scope.close(scope, exit).pipe(
        Effect.timeoutOrElse({
          duration: closeWithin,
          orElse: () => Effect.die(new Error(`gateway: the drain did not finish within ${closeWithin}`)),
        }),
      ),
    );
    const context = yield* Layer.buildWithScope(gatewayLayer(config), scope);
    return yield* collectServices.pipe(Effect.provide(context));
  });

/** The services as a promise, with their own runtime (tests build apps on it). */
export const startGateway = async <E>(config: Layer.Layer<GatewayConfig, E>): Promise<GatewayRuntime> => {
  const runtime = ManagedRuntime.make(gatewayLayer(config));
  const services = await runtime.runPromise(collectServices);
  return { services, dispose: () => runtime.dispose() };
};
