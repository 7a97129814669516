// `ledgerline sink positions | skip-gap | accept-topic`: where the ledger sink reads each partition,
// and the operator's explicit decisions about partitions it stopped (recorded in sink_position_decisions
// in the same transaction that moves the stored position).
import { userInfo } from "node:os";
import { topics as catalogue, names, type TopicId } from "@ledgerline/catalogue";
import { recordPositionDecision } from "@ledgerline/ledger-db";
import { CliFailure } from "@ledgerline/resilience";
import { Console, Effect, Option } from "effect";
import { Command, Flag } from "effect/cli";
import { CliConfig, type CliSettings } from "../Config.ts";
import { kafkaConnection } from "../dlq/connect.ts";
import { type PartitionPosition, sinkPositions, withPool } from "../sink/positions.ts";
import { renderTable, toJson } from "../table.ts";
import { attempt, jsonFlag } from "./shared.ts";

const SINK_INPUTS: readonly TopicId[] = ["validated", "rejected", "dlq"];

const topicsOf = (config: CliSettings) => SINK_INPUTS.map((id) => names(config.namespace).topic(id));
const groupOf = (config: CliSettings) => names(config.namespace).group("ledgerSink");

const stateOf = (p: PartitionPosition) =>
  p.decision._tag === "Blocked"
    ? `BLOCKED ${p.decision.reason}`
    : p.decision._tag === "Start"
      ? "from log start"
      : "reading";

const read = (config: CliSettings) =>
  attempt("read the sink's positions", () =>
    withPool(config.databaseUrl, (pool) =>
      sinkPositions(kafkaConnection(config), pool, groupOf(config), topicsOf(config)),
    ),
  );

/** A logical topic id (validated) or a full name; checked against the sink's inputs. */
const resolveTopic = (config: CliSettings, topic: string) => {
  const all = topicsOf(config);
  const full = topic in catalogue ? names(config.namespace).topic(topic as TopicId) : topic;
  return all.includes(full)
    ? Effect.succeed(full)
    : Effect.fail(
        CliFailure.usage(`--topic ${topic} is not an input of the ledger sink (${SINK_INPUTS.join(", ")})`),
      );
};

const positionsCommand = Command.make(
  "positions",
  { json: jsonFlag },
  Effect.fn(function* ({ json }) {
    const config = yield* CliConfig;
    const rows = yield* read(config);
    if (json) {
      yield* Console.log(toJson(rows.map((p) => ({ ...p, state: stateOf(p) }))));
      return;
    }
    yield* Console.log(
      renderTable(
        ["TOPIC", "P", "STORED", "LOG START", "LOG END", "LAG", "HELD BY", "STATE"],
        rows.map((p) => [
          p.topic,
          String(p.partition),
          p.stored === null ? "-" : String(p.stored),
          String(p.logStart),
          String(p.logEnd),
          String(p.logEnd - (p.stored ?? p.logStart)),
          p.heldBy ?? "-",
          stateOf(p),
        ]),
      ),
    );
    for (const p of rows) if (p.decision._tag === "Blocked") yield* Console.log(`\n${p.decision.detail}`);
  }),
).pipe(
  Command.withDescription(
    "Each input partition: stored position, log start/end, lag, who holds it, blocked or not",
  ),
);

const reasonFlag = Flag.String("reason").pipe(Flag.withDescription("Why (kept in the audit table)"));
const operatorFlag = Flag.String("operator").pipe(
  Flag.withDescription("Who decides (default: the OS user)"),
  Flag.optional,
);

const decide = (
  kind: "skip_gap" | "accept_topic",
  input: { topic: string; partition: Option.Option<number>; reason: string; operator: Option.Option<string> },
) =>
  Effect.gen(function* () {
    const config = yield* CliConfig;
    const topic = yield* resolveTopic(config, input.topic);
    const wanted = kind === "skip_gap" ? ["RetentionGap"] : ["OtherTopic", "AheadOfLog"];
    const rows = (yield* read(config)).filter(
      (p) =>
        p.topic === topic &&
        Option.match(input.partition, { onNone: () => true, onSome: (n) => p.partition === n }) &&
        p.decision._tag === "Blocked" &&
        wanted.includes(p.decision.reason),
    );
    if (rows.length === 0) {
      return yield* Effect.fail(
        CliFailure.failed(
          `no partition of ${topic} is blocked by ${wanted.join(" or ")} (see: ledgerline sink positions)`,
        ),
      );
    }
    const operator = Option.getOrElse(input.operator, () => userInfo().username);
    for (const p of rows) {
      yield* attempt("record the decision", () =>
        withPool(config.databaseUrl, (pool) =>
          recordPositionDecision(pool, {
            groupId: groupOf(config),
            topic,
            partition: p.partition,
            kind,
            fromOffset: p.stored,
            toOffset: p.logStart,
            oldTopicId: p.storedTopicId,
            newTopicId: p.topicId,
            operator,
            reason: input.reason,
          }),
        ),
      );
      yield* Console.log(
        kind === "skip_gap"
          ? `${topic}[${p.partition}]: skipped offsets ${p.stored} to ${p.logStart - 1n} (deleted by retention); the sink reads from ${p.logStart}`
          : `${topic}[${p.partition}]: accepted topic id ${p.topicId}; the sink reads it from ${p.logStart} (its ledger rows are idempotent by transaction id)`,
      );
    }
  });

/** A decision about blocked partitions: the same flags, one kind each. */
const decisionCommand = (name: string, kind: "skip_gap" | "accept_topic", description: string) =>
  Command.make(
    name,
    {
      topic: Flag.String("topic").pipe(
        Flag.withDescription("validated, rejected or dlq (or the full topic name)"),
      ),
      partition: Flag.Int("partition").pipe(
        Flag.withDescription("Partition (default: every blocked one)"),
        Flag.optional,
      ),
      reason: reasonFlag,
      operator: operatorFlag,
    },
    (input) => decide(kind, input),
  ).pipe(Command.withDescription(description));

const skipGapCommand = decisionCommand(
  "skip-gap",
  "skip_gap",
  "Let the sink go on past records retention deleted before they were applied (the gap is audited)",
);

const acceptTopicCommand = decisionCommand(
  "accept-topic",
  "accept_topic",
  "Let the sink read a re-created topic (or another cluster's) from its start; stored positions belonged to another incarnation",
);

export const sinkCommand = Command.make("sink").pipe(
  Command.withDescription("Where the ledger sink reads, and decisions about partitions it stopped"),
  Command.withSubcommands([positionsCommand, skipGapCommand, acceptTopicCommand]),
);
