// Wires the Effect services (Kafka producer, registry encoder, ledger reads and limits) into the app's services.
import { LedgerDb } from "@ledgerline/ledger-db";
import { Effect, Layer, ManagedRuntime, Redacted } from "effect";
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

export const startGateway = async <E>(config: Layer.Layer<GatewayConfig, E>): Promise<GatewayRuntime> => {
  const runtime = ManagedRuntime.make(gatewayLayer(config));
  const services = await runtime.runPromise(
    Effect.gen(function* () {
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
    }),
  );
  return { services, dispose: () => runtime.dispose() };
};
