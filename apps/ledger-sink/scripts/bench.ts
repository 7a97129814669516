// Sink throughput vs a raw COPY of the same rows, in the same run and database.
//   npm run bench -w @ledgerline/ledger-sink            (BENCH_RECORDS=50000 by default)
// Pre-fills transactions.validated in a fresh namespace, runs the sink (postings, balances, outbox,
// offsets — not the relay) until every record is posted, then COPYs the rows the sink wrote
// (transactions, postings, outbox) into a second fresh schema. Prints transactions/s for both.
import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { legsOf, payloadHash } from "@ledgerline/domain";
import { createIdempotentProducer } from "@ledgerline/kafka";
import type { TransactionInsert } from "@ledgerline/ledger-db";
import { balanceKey, LedgerDb } from "@ledgerline/ledger-db";
import { RegistryCodec } from "@ledgerline/schema-registry";
import { createTestDatabase, createTestNamespace, testEnvironment } from "@ledgerline/testkit";
import { Effect, Fiber, Logger, References } from "effect";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { batchBalances } from "../src/domain/balances.ts";
import type { WriteResult } from "../src/domain/planBatch.ts";
import { validatedEntry } from "../src/domain/toLedgerRows.ts";
import { runSinkPipeline } from "../src/SinkPipeline.ts";

const N = Number(process.env.BENCH_RECORDS ?? 50_000);
const BATCH = Number(process.env.LEDGER_SINK_BATCH_SIZE ?? 5_000);
const env = testEnvironment();
const connection = (clientId: string) => ({ bootstrapBrokers: env.brokers, clientId });

const ns = await createTestNamespace("bench", { only: ["validated", "rejected", "dlq"] });
const sinkDb = await createTestDatabase("bench_sink");
const copyDb = await createTestDatabase("bench_copy");
try {
  const codec = new RegistryCodec({ url: env.registryUrl, names: ns.names });
  const records = Array.from({ length: N }, (_, i) => {
    const base = {
      transaction_id: randomUUID(),
      account_id: `ACC-${i % 5_000}`,
      amount_minor: BigInt(100 + (i % 100_000)),
      currency: "USD",
      merchant_name: `Merchant ${i % 500}`,
      occurred_at: new Date(1_735_000_000_000 + i),
      accepted_at: new Date(1_735_000_000_000 + i),
      client_id: "bench",
      idempotency_key: null,
      metadata: {},
      type: "payment",
      counterparty_account_id: null,
      original_transaction_id: null,
      merchant_category: "retail",
      base_currency: "USD",
      base_amount_minor: BigInt(100 + (i % 100_000)),
      fx_rate: "1.000000000000",
      fx_rate_as_of: new Date(1_735_000_000_000),
      risk_flags: [],
      validated_at: new Date(),
    };
    return { ...base, payload_hash: payloadHash(base) };
  });

  // --- pre-fill the topic ---
  const producer = createIdempotentProducer(connection("bench-producer"));
  const values = await codec.encodeMany("validated", records);
  for (let i = 0; i < N; i += 1_000) {
    await producer.send({
      messages: records.slice(i, i + 1_000).map((r, j) => ({
        topic: ns.names.topic("validated"),
        key: r.account_id,
        value: values[i + j] as Buffer,
      })),
    });
  }
  await producer.close();
  console.log(`pre-filled ${N} records on ${ns.names.topic("validated")}`);

  // --- the sink ---
  let posted = 0;
  let firstBatchAt = 0;
  let firstBatchPosted = 0;
  let lastBatchAt = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((resolve) => {
    done = resolve;
  });
  const onBatch = (result: WriteResult) => {
    const now = performance.now();
    if (firstBatchAt === 0) {
      firstBatchAt = now;
      firstBatchPosted = result.posted;
    }
    posted += result.posted;
    lastBatchAt = now;
    if (posted >= N) done();
  };
  const fiber = Effect.runFork(
    runSinkPipeline({
      connection: connection("bench-sink"),
      names: ns.names,
      codec,
      groupId: ns.names.group("ledgerSink"),
      batchSize: BATCH,
      batchWaitMs: 50,
      retryBaseMs: 100,
      retryMaxMs: 2_000,
      onBatch,
    }).pipe(
      Effect.scoped,
      Effect.provide(LedgerDb.layer({ databaseUrl: sinkDb.url, maximumPoolSize: 4 })),
      Effect.provide(Logger.layer([Logger.consoleJson])),
      Effect.provideService(References.MinimumLogLevel, "Warn"),
    ),
  );
  await finished;
  await Effect.runPromise(Fiber.interrupt(fiber));
  // Timed from the first committed batch to the last (excludes the one-off consumer group join).
  const sinkSeconds = (lastBatchAt - firstBatchAt) / 1_000;
  const sinkRate = (posted - firstBatchPosted) / sinkSeconds;

  // --- raw COPY of the same rows the sink wrote ---
  const now = new Date();
  const legsFor = (value: (typeof records)[number]) =>
    legsOf({
      type: "payment",
      clientId: value.client_id,
      accountId: value.account_id,
      merchantName: value.merchant_name,
      counterpartyAccountId: null,
    });
  // Numbered and balanced as the sink's plan does (every account starts empty in the COPY database).
  const balances = batchBalances(
    new Map(),
    new Set(
      records.flatMap((value) => {
        const legs = legsFor(value);
        return [balanceKey(legs.debit, value.currency), balanceKey(legs.credit, value.currency)];
      }),
    ),
  );
  const entries = records.map((value) => {
    const legs = legsFor(value);
    return validatedEntry(value, {
      eventId: randomUUID(),
      now,
      traceparent: null,
      legs,
      postings: balances.post(value.transaction_id, legs, value.currency, value.amount_minor),
      refund: null,
    });
  });
  const text = (value: unknown): string => {
    if (value === null || value === undefined) return "\\N";
    const s = typeof value === "string" ? value : JSON.stringify(value);
    return s.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r");
  };
  const pgArray = (items: readonly string[]) =>
    `{${items.map((i) => `"${i.replace(/(["\\])/g, "\\$1")}"`).join(",")}}`;
  const txColumns = [
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
    "status",
    "rejection_reasons",
    "dead_letter_reason",
    "risk_flags",
    "occurred_at",
    "accepted_at",
    "posted_at",
    "client_id",
    "payload_hash",
    "metadata",
  ] as const;
  const txLines = entries.map((c) =>
    txColumns
      .map((column) => {
        const value = c.row[column as keyof TransactionInsert];
        return column === "risk_flags" ? text(pgArray(value as string[])) : text(value);
      })
      .join("\t"),
  );
  const postingLines = entries.flatMap((c) =>
    c.postings.map((p) =>
      [
        p.transaction_id,
        p.ledger_account,
        p.currency,
        p.amount_minor.toString(),
        p.account_seq.toString(),
        p.balance_after_minor.toString(),
      ]
        .map(text)
        .join("\t"),
    ),
  );
  const outboxLines = entries.flatMap((c) =>
    c.events.map((e) => [e.event_id, e.aggregate_id, e.event_type, e.payload].map(text).join("\t")),
  );
  const client = new pg.Client({ connectionString: copyDb.url });
  await client.connect();
  const copy = async (statement: string, lines: readonly string[]) => {
    const chunks = function* () {
      for (let i = 0; i < lines.length; i += 5_000) yield `${lines.slice(i, i + 5_000).join("\n")}\n`;
    };
    await pipeline(Readable.from(chunks()), client.query(copyFrom(statement)));
  };
  const copyStart = performance.now();
  await client.query("BEGIN");
  await copy(`COPY transactions (${txColumns.join(", ")}) FROM STDIN`, txLines);
  await copy(
    "COPY postings (transaction_id, ledger_account, currency, amount_minor, account_seq, balance_after_minor) FROM STDIN",
    postingLines,
  );
  await copy("COPY outbox (event_id, aggregate_id, event_type, payload) FROM STDIN", outboxLines);
  await client.query("COMMIT");
  const copySeconds = (performance.now() - copyStart) / 1_000;
  await client.end();
  const copyRate = N / copySeconds;

  console.log(
    `sink: ${posted - firstBatchPosted} transactions in ${sinkSeconds.toFixed(2)} s = ${Math.round(sinkRate)} tx/s (batch ${BATCH}; postings, balances, outbox, offsets)`,
  );
  console.log(
    `COPY: ${N} transactions (+${postingLines.length} postings, ${outboxLines.length} outbox rows) in ${copySeconds.toFixed(2)} s = ${Math.round(copyRate)} tx/s`,
  );
  console.log(`ratio: sink / COPY = ${((sinkRate / copyRate) * 100).toFixed(1)}% (goal ≥ 25%)`);
} finally {
  await Promise.all([ns.cleanup(), sinkDb.cleanup(), copyDb.cleanup()]);
}
process.exit(0);
