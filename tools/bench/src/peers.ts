// `npm run bench:peers -- [--rounds 3] [--records 100000] [--sink-records 100000] [--only processor|sink]`
//
// Peer benchmarks (issue 19), on the stack's broker, registry and Postgres, in one run: our processor
// against the same rules on Kafka Streams with exactly_once_v2, and our ledger sink against the Debezium
// JDBC sink connector (upsert) on Kafka Connect standalone. Alternating rounds, medians. Not a test.
// Run through ops/bin/bench-peers.sh, which builds the Java side (tools/peers) first.
import { peersSettings } from "./peers/Config.ts";
import { type ProcessorRound, runProcessorComparison } from "./peers/processor.ts";
import { runSinkComparison, type SinkRound } from "./peers/sink.ts";
import { markdownTable, median, ratioText } from "./peers/stats.ts";

const settings = peersSettings(process.argv.slice(2));
const log = (line: string) => console.log(`[peers ${new Date().toISOString().slice(11, 19)}] ${line}`);

/** Medians of the end-to-end latency, ms. */
interface Latency {
  readonly p50: number;
  readonly p99: number;
}

const processorTable = (rounds: readonly ProcessorRound[]) => {
  const of = (side: ProcessorRound["side"]) => rounds.filter((r) => r.side === side);
  const ours = of("ledgerline");
  const streams = of("kafka-streams");
  const m = (rs: readonly ProcessorRound[], pick: (r: ProcessorRound) => number) => median(rs.map(pick));
  const oursRate = m(ours, (r) => r.perSecond);
  const streamsRate = m(streams, (r) => r.perSecond);
  const oursWhole = m(ours, (r) => r.wholePerSecond);
  const streamsWhole = m(streams, (r) => r.wholePerSecond);
  const latencyOf = (rs: readonly ProcessorRound[]): Latency => ({
    p50: m(rs, (r) => r.latencyP50),
    p99: m(rs, (r) => r.latencyP99),
  });
  const oursLatency = latencyOf(ours);
  const streamsLatency = latencyOf(streams);
  const correctness = (rs: readonly ProcessorRound[]) => {
    const bad = rs.filter((r) => r.duplicates > 0 || r.missing > 0 || r.misrouted > 0);
    return bad.length === 0
      ? `each exactly once, split as expected (${rs[0]?.validated ?? 0} / ${rs[0]?.rejected ?? 0})`
      : `NOT exactly once in ${bad.length} round(s): ${bad.map((r) => `${r.duplicates} dup, ${r.missing} missing, ${r.misrouted} misrouted`).join("; ")}`;
  };
  return [
    `Processor, median of ${settings.rounds} alternating rounds: ${settings.records} pre-filled requests, then ${settings.latencyRecords} at ${settings.latencyRate}/s for latency:`,
    "",
    markdownTable(
      ["", "ledgerline processor", "Kafka Streams exactly_once_v2", "ours / theirs"],
      [
        [
          `records/s (after the first ${settings.warmup * 100}%)`,
          `${Math.round(oursRate)}`,
          `${Math.round(streamsRate)}`,
          ratioText(oursRate, streamsRate),
        ],
        [
          "records/s, whole drain (fresh process)",
          `${Math.round(oursWhole)}`,
          `${Math.round(streamsWhole)}`,
          ratioText(oursWhole, streamsWhole),
        ],
        [
          "end-to-end p50 / p99 ms",
          `${oursLatency.p50} / ${oursLatency.p99}`,
          `${streamsLatency.p50} / ${streamsLatency.p99}`,
          "",
        ],
        ["outputs (read_committed)", correctness(ours), correctness(streams), ""],
      ],
    ),
    "",
    goalLine(oursRate, streamsRate, oursLatency, streamsLatency),
    "Both: decode Avro (Confluent wire format, writer schema from the registry), validate, FX join, merchant",
    "category, risk flags, payload hash; encode; produce to validated/rejected and commit the input offsets in",
    "one Kafka transaction every 100 ms (ours: at most 2,000 records per transaction, fetches wait at most 20 ms,",
    "the processor's default; Streams: commit.interval.ms 100, fetch.min.bytes 1, one stream thread, a",
    "GlobalKTable of fx.rates in memory, Apicurio's Avro serde). Each side is a fresh",
    "process per round; records/s is timed on the outputs a read_committed reader sees, latency from send to seen.",
  ].join("\n");
};

/** Issue 33's goal: 1.5× Kafka Streams' records/s, with latency (p50 and p99) no worse than Streams'. */
const goalLine = (oursRate: number, streamsRate: number, ours: Latency, streams: Latency) => {
  const rateMet = oursRate >= 1.5 * streamsRate;
  const latencyMet = ours.p50 <= streams.p50 && ours.p99 <= streams.p99;
  return (
    `Goal: ours ≥ 1.5 × Kafka Streams records/s: ${rateMet ? "met" : "not met"} (${ratioText(oursRate, streamsRate)}); ` +
    `latency p50 and p99 no worse than Streams': ${latencyMet ? "met" : "not met"}.`
  );
};

const sinkTable = (rounds: readonly SinkRound[]) => {
  const of = (side: SinkRound["side"]) => rounds.filter((r) => r.side === side);
  const rate = (side: SinkRound["side"]) => median(of(side).map((r) => r.perSecond));
  const whole = (side: SinkRound["side"]) => `${Math.round(median(of(side).map((r) => r.wholePerSecond)))}`;
  const full = rate("ledgerline");
  const rowsOnly = rate("ledgerline rows-only");
  const debezium = rate("debezium");
  const verdict = (ok: boolean, ratio: string) => (ok ? `met (${ratio})` : `not met (${ratio})`);
  return [
    `Ledger sink, median of ${settings.rounds} alternating rounds: ${settings.sinkRecords} pre-filled validated records, batches of ${settings.sinkBatch}:`,
    "",
    markdownTable(
      [
        "",
        `transactions/s (after the first ${settings.warmup * 100}%)`,
        "/ Debezium",
        "goal",
        "from the first rows",
      ],
      [
        [
          "ledgerline sink, double-entry (postings, balances, outbox, offsets, claims)",
          `${Math.round(full)}`,
          ratioText(full, debezium),
          verdict(full >= debezium, "≥ 100%"),
          whole("ledgerline"),
        ],
        [
          "ledgerline sink, rows-only (transactions rows, offsets, claims)",
          `${Math.round(rowsOnly)}`,
          ratioText(rowsOnly, debezium),
          verdict(rowsOnly >= debezium, "≥ 100%"),
          whole("ledgerline rows-only"),
        ],
        [
          "Debezium JDBC sink 3.6.0, upsert by transaction_id",
          `${Math.round(debezium)}`,
          "100%",
          "",
          whole("debezium"),
        ],
      ],
    ),
    "",
    "Ours: one Postgres transaction per batch holding the rows, the Kafka positions and the partition claims",
    "(exactly-once: a replay writes nothing twice), pool of 4. Debezium: Kafka Connect standalone, one task,",
    "Apicurio's AvroConverter, a JDBC batch of INSERT … ON CONFLICT (transaction_id) DO UPDATE per poll",
    "(reWriteBatchedInserts), one connection; Connect commits offsets to Kafka separately, so a replay",
    "re-upserts rows (idempotent, not transactional with the offsets). Each side is a fresh process per round,",
    "timed on the rows a poll of count(*) sees in our `transactions` table (Debezium writes into the same table).",
  ].join("\n");
};

const tables: string[] = [];
if (settings.only !== "sink") {
  log("processor vs Kafka Streams");
  tables.push(processorTable(await runProcessorComparison(settings, log)));
}
if (settings.only !== "processor") {
  log("ledger sink vs Debezium JDBC sink");
  tables.push(sinkTable(await runSinkComparison(settings, log)));
}
console.log(`\n${tables.join("\n\n")}`);
process.exit(0);
