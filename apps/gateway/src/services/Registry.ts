// The registry encoder as an Effect service: TransactionRequested → Confluent wire-format Avro bytes.
import { names } from "@ledgerline/catalogue";
import type { TransactionRequested } from "@ledgerline/contracts";
import { RegistryCodec, RegistryError } from "@ledgerline/schema-registry";
import { Context, Effect, Layer, Redacted } from "effect";
import { GatewayConfig } from "../Config.ts";
import { PublishError } from "../errors.ts";
import { countRegistryError } from "../gatewayMetrics.ts";

export class Registry extends Context.Service<
  Registry,
  {
    /** Per request, so a Promise (rejects with PublishError): an Effect per call costs more than encoding. */
    encodeRequested(record: TransactionRequested): Promise<Buffer>;
    /** Readiness: the writer schema id resolves (registry reachable, subject registered). */
    check: Effect.Effect<void, PublishError>;
  }
>()("ledgerline/gateway/Registry") {
  static readonly layer = Layer.effect(
    Registry,
    Effect.gen(function* () {
      const { settings, connections } = yield* GatewayConfig;
      const codec = new RegistryCodec({
        url: Redacted.value(connections.registryUrl),
        names: names(settings.namespace),
        // Lookups are cached after the first, so a generous bound costs nothing on the hot path.
        timeoutMs: Math.max(settings.readyTimeoutMs, 5_000),
      });
      // Warm the writer-schema lookup: the first request must not pay the registry's cold start.
      yield* Effect.tryPromise(() => codec.writerId("requested")).pipe(
        Effect.catch((error) =>
          Effect.logWarning(`schema registry not ready at start (${String(error)}); requests will retry it`),
        ),
      );
      const failure = (error: unknown) =>
        countRegistryError(error) ??
        new PublishError({
          reason: "REGISTRY_UNAVAILABLE",
          detail: error instanceof RegistryError ? `schema registry: ${error.message}` : String(error),
        });
      return Registry.of({
        encodeRequested: (record) =>
          codec.encode("requested", record).catch((error: unknown) => Promise.reject(failure(error))),
        check: Effect.tryPromise({ try: () => codec.writerId("requested"), catch: failure }).pipe(
          Effect.asVoid,
        ),
      });
    }),
  );
}
