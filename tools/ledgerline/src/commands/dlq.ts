// `ledgerline dlq list | show | replay | replays`.

import { type TopicId, topics } from "@ledgerline/catalogue";
import { CliFailure } from "@ledgerline/resilience";
import { Console, Effect } from "effect";
import { Argument, Command, Flag } from "effect/cli";
import { CliConfig } from "../Config.ts";
import { listReplayAudit } from "../dlq/audit.ts";
import { kafkaConnection, registryCodec } from "../dlq/connect.ts";
import { accountOf, coordinatesOf, matchesFilter } from "../dlq/filter.ts";
import { decodePayload, previewOf } from "../dlq/payload.ts";
import { scanDlq } from "../dlq/scan.ts";
import { renderTable, toJson, truncate } from "../table.ts";
import { filterFlags, toFilter } from "./dlqFlags.ts";
import { replayCommand } from "./dlqReplay.ts";
import { attempt, jsonFlag } from "./shared.ts";

const listCommand = Command.make(
  "list",
  { ...filterFlags, json: jsonFlag },
  Effect.fn(function* (input) {
    const config = yield* CliConfig;
    const filter = yield* toFilter(input);
    const codec = registryCodec(config);
    const snapshot = yield* attempt("read the DLQ", () => scanDlq(kafkaConnection(config), codec));
    const resolveTopic = (topic: string) => (topic in topics ? codec.names.topic(topic as TopicId) : topic);
    const selected = snapshot.records.filter((record) => matchesFilter(record, filter, resolveTopic));
    const rows = yield* attempt("decode payloads", () =>
      Promise.all(
        selected.map(async (record) => ({
          record,
          preview: record.envelope
            ? previewOf(await decodePayload(codec, record.envelope))
            : `undecodable: ${record.decodeError}`,
        })),
      ),
    );
    if (input.json) {
      yield* Console.log(
        toJson(
          rows.map(({ record, preview }) => ({
            partition: record.partition,
            offset: record.offset,
            coordinates: coordinatesOf(record),
            deadLetteredAt: (record.envelope?.dead_lettered_at ?? record.timestamp).toISOString(),
            transactionId: record.envelope?.transaction_id ?? null,
            stage: record.envelope?.stage ?? null,
            reason: record.envelope?.reason_code ?? "UNDECODABLE",
            errorClass: record.envelope?.error_class ?? null,
            retryable: record.envelope?.retryable ?? false,
            originalTopic: record.envelope?.original_topic ?? null,
            attempts: record.envelope?.attempts ?? null,
            replayCount: record.envelope?.replay_count ?? null,
            key: accountOf(record) ?? null,
            preview,
          })),
        ),
      );
      return;
    }
    if (rows.length === 0) {
      yield* Console.log(`no dead letters match (${snapshot.records.length} in ${snapshot.topic})`);
      return;
    }
    yield* Console.log(
      renderTable(
        [
          "P:OFFSET",
          "DEAD-LETTERED",
          "REASON",
          "STAGE",
          "ATTEMPTS",
          "REPLAYS",
          "KEY",
          "TRANSACTION",
          "PREVIEW",
        ],
        rows.map(({ record, preview }) => [
          coordinatesOf(record),
          (record.envelope?.dead_lettered_at ?? record.timestamp).toISOString().replace(/\.\d+Z$/, "Z"),
          record.envelope
            ? `${record.envelope.reason_code}${record.envelope.retryable ? "" : " (final)"}`
            : "UNDECODABLE",
          record.envelope?.stage ?? "",
          String(record.envelope?.attempts ?? ""),
          String(record.envelope?.replay_count ?? ""),
          accountOf(record) ?? "",
          record.envelope?.transaction_id ?? "",
          truncate(preview, 48),
        ]),
      ),
    );
    yield* Console.log(`\n${rows.length} of ${snapshot.records.length} dead letter(s) in ${snapshot.topic}`);
  }),
).pipe(
  Command.withDescription("List dead letters: offset, time, reason, attempts, key and a payload preview"),
  Command.withExamples([
    {
      command: "ledgerline dlq list --reason ENRICHMENT_FAILED --since 2h",
      description: "recent enrichment failures",
    },
    {
      command: "ledgerline dlq list --account C1231006815 --json",
      description: "one account's dead letters as JSON",
    },
  ]),
);

const showCommand = Command.make(
  "show",
  {
    id: Argument.String("id").pipe(
      Argument.withDescription("partition:offset in the DLQ, or a transaction id"),
    ),
    json: jsonFlag,
  },
  Effect.fn(function* ({ id, json }) {
    const config = yield* CliConfig;
    const codec = registryCodec(config);
    const snapshot = yield* attempt("read the DLQ", () => scanDlq(kafkaConnection(config), codec));
    const matches = snapshot.records.filter((record) => matchesFilter(record, { ids: [id] }));
    if (matches.length === 0)
      return yield* Effect.fail(CliFailure.failed(`no dead letter ${id} in ${snapshot.topic}`));
    const shown = yield* attempt("decode payloads", () =>
      Promise.all(
        matches.map(async (record) => ({
          coordinates: `${snapshot.topic}:${coordinatesOf(record)}`,
          timestamp: record.timestamp.toISOString(),
          key: record.key ?? null,
          headers: record.headers,
          envelope: record.envelope
            ? {
                ...record.envelope,
                original_value: undefined,
                original_key: record.envelope.original_key?.toString("utf8") ?? null,
                original_headers: Object.fromEntries(
                  Object.entries(record.envelope.original_headers).map(([k, v]) => [k, v.toString("utf8")]),
                ),
              }
            : null,
          decodeError: record.decodeError,
          payload: record.envelope
            ? await decodePayload(codec, record.envelope)
            : ({
                decoded: false,
                hex: record.raw?.toString("hex") ?? "",
                why: record.decodeError ?? "",
              } as const),
        })),
      ),
    );
    if (json) {
      yield* Console.log(toJson(shown.length === 1 ? shown[0] : shown));
      return;
    }
    for (const item of shown) {
      yield* Console.log(`dead letter ${item.coordinates} (${item.timestamp})`);
      if (item.envelope) {
        for (const [key, value] of Object.entries(item.envelope)) {
          if (value === undefined) continue;
          const text =
            value instanceof Date
              ? value.toISOString()
              : typeof value === "object"
                ? JSON.stringify(value)
                : String(value);
          yield* Console.log(`  ${key.padEnd(20)} ${text}`);
        }
      } else yield* Console.log(`  envelope undecodable: ${item.decodeError}`);
      // The DLQ headers (Kafka Connect's names) say why even when the envelope cannot be decoded.
      if (Object.keys(item.headers).length > 0)
        yield* Console.log(`  headers              ${JSON.stringify(item.headers)}`);
      yield* Console.log(
        item.payload.decoded
          ? "payload (decoded through the registry):"
          : `payload (hex; not decodable: ${item.payload.why}):`,
      );
      yield* Console.log(item.payload.decoded ? toJson(item.payload.value) : item.payload.hex || "(empty)");
    }
  }),
).pipe(
  Command.withDescription(
    "Show a whole dead letter: the envelope and its payload, decoded through the registry or as hex",
  ),
);

const replaysCommand = Command.make(
  "replays",
  {
    limit: Flag.Int("limit").pipe(Flag.withDescription("How many recent runs"), Flag.withDefault(20)),
    json: jsonFlag,
  },
  Effect.fn(function* ({ limit, json }) {
    const config = yield* CliConfig;
    const rows = yield* attempt("read the replay audit", () => listReplayAudit(config.databaseUrl, limit));
    if (json) {
      yield* Console.log(toJson(rows));
      return;
    }
    if (rows.length === 0) {
      yield* Console.log("no replays recorded");
      return;
    }
    yield* Console.log(
      renderTable(
        [
          "REPLAY",
          "OPERATOR",
          "MODE",
          "SELECTED",
          "REPLAYED",
          "REFUSED",
          "PARKED",
          "STARTED",
          "FINISHED",
          "FILTER",
        ],
        rows.map((r) => [
          r.replayId,
          r.operator,
          r.dryRun ? "dry-run" : "replay",
          String(r.selected),
          String(r.replayed),
          String(r.refused),
          String(r.parked),
          r.startedAt,
          r.finishedAt ?? "(unfinished)",
          truncate(JSON.stringify(r.filter), 60),
        ]),
      ),
    );
  }),
).pipe(Command.withDescription("List recorded DLQ replay runs (the audit in Postgres)"));

export const dlqCommand = Command.make("dlq").pipe(
  Command.withDescription("Inspect and replay the dead-letter queue"),
  Command.withSubcommands([listCommand, showCommand, replayCommand, replaysCommand]),
);
