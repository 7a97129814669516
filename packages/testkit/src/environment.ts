// Addresses of the native stack the integration tests run against (started by `npm test`).
import { parseBrokers } from "@ledgerline/kafka";

export const testEnvironment = () => ({
  bootstrapServers: process.env.KAFKA_BOOTSTRAP_SERVERS ?? "127.0.0.1:9092",
  brokers: parseBrokers(process.env.KAFKA_BOOTSTRAP_SERVERS ?? "127.0.0.1:9092"),
  registryUrl: process.env.SCHEMA_REGISTRY_URL ?? "http://127.0.0.1:8081/apis/ccompat/v7",
  testDatabaseUrl:
    process.env.TEST_DATABASE_URL ?? "postgres://ledgerline:ledgerline@127.0.0.1:5432/ledgerline_test",
});
