// Our ledger sink (double-entry, and rows-only) against the Debezium JDBC sink connector in upsert mode on
// Kafka Connect standalone, over the same pre-filled transactions.validated, into fresh schemas of the same
// Postgres holding our migrated tables (Debezium upserts into our `transactions` table). Each side runs in
// a process of its own; this process polls the table's row count: transactions/s from the first committed
// rows seen to the last.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createIdempotentProducer } from "@ledgerline/kafka";
import { RegistryCodec } from "@ledgerline/schema-registry";
import {
  createTestDatabase,
  createTestNamespace,
  sinkBenchRecord,
  type TestNamespace,
  testEnvironment,
} from "@ledgerline/testkit";
import pg from "pg";
import type { PeersSettings } from "./Config.ts";
import { type StageProcess, startProcess, waitFor } from "./processes.ts";
import { type Progress, rateFrom } from "./stats.ts";

export type SinkSide = "ledgerline" | "ledgerline rows-only" | "debezium";

export interface SinkRound {
  readonly side: SinkSide;
  readonly round: number;
  /** Transactions/s after the warm-up share (Config.warmup), and from the first rows seen. */
  readonly perSecond: number;
  readonly wholePerSecond: number;
  readonly rows: number;
}

/** Columns of our `transactions` table that a validated record carries (the rest keep their defaults). */
const DEBEZIUM_FIELDS = [
  "transaction_id",
  "account_id",
  "amount_minor",
  "currency",
  "base_currency",
  "base_amount_minor",
  "fx_rate",
  "fx_rate_as_of",
  "merchant_name",
  "merchant_category",
  "risk_flags",
  "occurred_at",
  "accepted_at",
  "client_id",
  "payload_hash",
  // Set by the InsertField transform below.
  "status",
];

const properties = (entries: Record<string, string>) =>
  `${Object.entries(entries)
    .map(([key, value]) => `${key}=${value.replace(/\\/g, "\\\\")}`)
    .join("\n")}\n`;

export const runSinkComparison = async (
  settings: PeersSettings,
  log: (line: string) => void,
): Promise<SinkRound[]> => {
  const env = testEnvironment();
  const ns = await createTestNamespace("peers-sink", { only: ["validated", "rejected", "dlq"] });
  const results: SinkRound[] = [];
  try {
    const codec = new RegistryCodec({ url: env.registryUrl, names: ns.names });
    const producer = createIdempotentProducer({ bootstrapBrokers: env.brokers, clientId: "peers-sink-fill" });
    try {
      for (let from = 0; from < settings.sinkRecords; from += 5_000) {
        const records = Array.from({ length: Math.min(5_000, settings.sinkRecords - from) }, (_, i) =>
          sinkBenchRecord(from + i, (from + i) % 10 === 0 ? ["LARGE_AMOUNT"] : []),
        );
        const values = await codec.encodeMany("validated", records);
        await producer.send({
          messages: records.map((r, i) => ({
            topic: ns.names.topic("validated"),
            key: r.account_id,
            value: values[i]!,
          })),
        });
      }
    } finally {
      await producer.close();
    }
    log(`pre-filled ${settings.sinkRecords} validated records`);
    const sides: SinkSide[] = ["ledgerline", "debezium", "ledgerline rows-only"];
    for (let round = 1; round <= settings.rounds; round++) {
      // Rotate which side goes first, so warm-up and the page cache favour none.
      const order = sides.map((_, i) => sides[(i + round - 1) % sides.length]!);
      for (const side of order) {
        const result = await sinkRound(settings, ns, side, round, log);
        results.push(result);
        log(
          `round ${round} ${side}: ${Math.round(result.perSecond)} tx/s (from the first rows ${Math.round(result.wholePerSecond)}), ${result.rows} rows`,
        );
      }
    }
  } finally {
    await ns.cleanup();
  }
  return results;
};

const sinkRound = async (
  settings: PeersSettings,
  ns: TestNamespace,
  side: SinkSide,
  round: number,
  log: (line: string) => void,
): Promise<SinkRound> => {
  const env = testEnvironment();
  const db = await createTestDatabase(`peers_${side === "debezium" ? "dbz" : "ll"}${round}`);
  const workDir = await mkdtemp(join(tmpdir(), "ledgerline-peers-connect-"));
  const client = new pg.Client({ connectionString: env.testDatabaseUrl });
  await client.connect();
  let stage: StageProcess | undefined;
  try {
    log(`round ${round} ${side}: writing ${settings.sinkRecords} transactions`);
    if (side === "debezium") {
      const url = new URL(env.testDatabaseUrl);
      const worker = join(workDir, "worker.properties");
      const connector = join(workDir, "connector.properties");
      await writeFile(
        worker,
        properties({
          "bootstrap.servers": env.bootstrapServers,
          "key.converter": "org.apache.kafka.connect.storage.StringConverter",
          // Our records as they are: Avro in the Confluent wire format, writer schemas by content id.
          "value.converter": "io.apicurio.registry.utils.converter.AvroConverter",
          "value.converter.apicurio.registry.url": env.registryUrl.replace(
            /\/apis\/ccompat\/v7\/?$/,
            "/apis/registry/v2",
          ),
          "value.converter.apicurio.registry.as-confluent": "true",
          "value.converter.apicurio.registry.use-id": "contentId",
          "value.converter.apicurio.registry.headers.enabled": "false",
          "offset.storage.file.filename": join(workDir, "offsets"),
          "plugin.path": join(settings.peersDir, "plugins"),
          listeners: "http://127.0.0.1:0",
          // Batches the size of ours (5,000), read committed like ours.
          "consumer.max.poll.records": String(settings.sinkBatch),
          "consumer.isolation.level": "read_committed",
        }),
      );
      await writeFile(
        connector,
        properties({
          name: `${ns.namespace}-debezium-${round}`,
          "connector.class": "io.debezium.connector.jdbc.JdbcSinkConnector",
          "tasks.max": "1",
          topics: ns.names.topic("validated"),
          "connection.url": `jdbc:postgresql://${url.host}${url.pathname}?stringtype=unspecified&reWriteBatchedInserts=true`,
          "connection.username": decodeURIComponent(url.username),
          "connection.password": decodeURIComponent(url.password),
          "insert.mode": "upsert",
          "primary.key.mode": "record_value",
          "primary.key.fields": "transaction_id",
          "schema.evolution": "none",
          "collection.name.format": `${db.schema}.transactions`,
          "field.include.list": DEBEZIUM_FIELDS.map(
            (field) => `${ns.names.topic("validated")}:${field}`,
          ).join(","),
          // A constant status, as our rows have: the table requires one.
          transforms: "status",
          "transforms.status.type": "org.apache.kafka.connect.transforms.InsertField$Value",
          "transforms.status.static.field": "status",
          "transforms.status.static.value": "posted",
          "batch.size": String(settings.sinkBatch),
          "use.time.zone": "UTC",
          // Its UNNEST insert (dialect.postgres.unnest.insert.enabled) cannot write our uuid column (text[]
          // → uuid fails); the default JDBC batch of upserts can (stringtype=unspecified in the URL), and
          // reWriteBatchedInserts sends each batch as multi-row statements (faster here than without).
        }),
      );
      stage = startProcess(
        "Kafka Connect",
        settings.java,
        [
          "-Dlog4j2.level=WARN",
          "-cp",
          join(settings.peersDir, "connect/lib/*"),
          "org.apache.kafka.connect.cli.ConnectStandalone",
          worker,
          connector,
        ],
        process.env,
      );
    } else {
      stage = startProcess(
        "our sink",
        process.execPath,
        [
          "apps/ledger-sink/scripts/peerSink.ts",
          "--namespace",
          ns.namespace,
          "--database-url",
          db.url,
          "--group",
          `${ns.names.group("ledgerSink")}.${round}.${side === "ledgerline" ? "full" : "rows"}`,
          "--batch",
          String(settings.sinkBatch),
          "--ledger-work",
          side === "ledgerline" ? "double-entry" : "rows-only",
        ],
        process.env,
      );
    }
    const running = stage;
    const table = `"${db.schema}".transactions`;
    const progress: Progress[] = [];
    let rows = 0;
    await waitFor(
      () => `the sink's rows (${side}: ${running.output().slice(-3_000)})`,
      async () => {
        const result = await client.query<{ count: string }>(`SELECT count(*) FROM ${table}`);
        rows = Number(result.rows[0]?.count ?? 0);
        if (rows > 0) progress.push({ at: performance.now(), count: rows });
        return rows >= settings.sinkRecords;
      },
      settings.drainLimitMs,
      () => running.check(),
    );
    return {
      side,
      round,
      perSecond: rateFrom(progress, Math.ceil(settings.sinkRecords * settings.warmup)),
      wholePerSecond: rateFrom(progress, 1),
      rows,
    };
  } finally {
    await stage?.stop();
    await client.end();
    await rm(workDir, { recursive: true, force: true });
    await db.cleanup();
  }
};
