// The registry codec as a service: decode with schema resolution, encode our outputs.
import { names } from "@ledgerline/catalogue";
import { RegistryCodec } from "@ledgerline/schema-registry";
import { Context, Effect, Layer, Redacted } from "effect";
import { ProcessorConfig } from "./Config.ts";

export class Codec extends Context.Service<Codec, RegistryCodec>()("ledgerline/processor/Codec") {
  static readonly layer = Layer.effect(
    Codec,
    Effect.gen(function* () {
      const config = yield* ProcessorConfig;
      // A short timeout: an outage must surface as a retryable error quickly, not hang a batch.
      return new RegistryCodec({
        url: Redacted.value(config.registryUrl),
        names: names(config.namespace),
        timeoutMs: 3_000,
      });
    }),
  );
}
