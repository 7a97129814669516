// Kafka and registry clients for the DLQ commands, from the CLI settings.

import { names } from "@ledgerline/catalogue";
import { type KafkaConnection, parseBrokers } from "@ledgerline/kafka";
import { RegistryCodec } from "@ledgerline/schema-registry";
import { Redacted } from "effect";
import type { CliSettings } from "../Config.ts";

export const kafkaConnection = (config: CliSettings): KafkaConnection => ({
  bootstrapBrokers: parseBrokers(config.kafkaBootstrapServers),
  security: config.kafkaSecurity,
  clientId: "ledgerline-cli",
  timeoutMs: 5_000,
  retries: 1,
});

export const registryCodec = (config: CliSettings): RegistryCodec =>
  new RegistryCodec({ url: Redacted.value(config.schemaRegistryUrl), names: names(config.namespace) });
