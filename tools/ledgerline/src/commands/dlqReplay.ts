// `ledgerline dlq replay`: select dead letters, show the plan, confirm, replay exactly once, audit.
import { randomUUID } from "node:crypto";
import { userInfo } from "node:os";
import { createInterface } from "node:readline/promises";
import type { TopicId } from "@ledgerline/catalogue";
import { CliFailure } from "@ledgerline/resilience";
import { Console, Effect, Option } from "effect";
import { Command, Flag } from "effect/cli";
import { CliConfig } from "../Config.ts";
import { finishReplayAudit, startReplayAudit } from "../dlq/audit.ts";
import { kafkaConnection, registryCodec } from "../dlq/connect.ts";
import { canonicalFilter, coordinatesOf } from "../dlq/filter.ts";
import { planReplay, type ReplayOptions, replayTargets } from "../dlq/plan.ts";
import { committedOffsets, groupIdFor, runReplay } from "../dlq/replayRun.ts";
import { scanDlq } from "../dlq/scan.ts";
import { progress, progressMode } from "../progress.ts";
import { renderTable, toJson } from "../table.ts";
import { commaList, filterFlags, toFilter } from "./dlqFlags.ts";
import { attempt, jsonFlag } from "./shared.ts";

const RATE = /^(\d+(?:\.\d+)?)\s*(?:\/s)?$/;

const confirm = (question: string) =>
  Effect.promise(async () => {
    if (!process.stdin.isTTY) return false;
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
    } finally {
      rl.close();
    }
  });

export const replayCommand = Command.make(
  "replay",
  {
    ...filterFlags,
    ids: Flag.String("ids").pipe(
      Flag.withDescription("Explicit selection: comma-separated partition:offset or transaction ids"),
      Flag.optional,
    ),
    to: Flag.String("to").pipe(
      Flag.withDescription(
        `Write to this declared topic instead of each record's original (${replayTargets.join(", ")})`,
      ),
      Flag.optional,
    ),
    dryRun: Flag.Boolean("dry-run").pipe(
      Flag.withDescription("Print what would be replayed where; change nothing"),
      Flag.withDefault(false),
    ),
    rate: Flag.String("rate").pipe(Flag.withDescription("Records per second, e.g. 50/s"), Flag.optional),
    max: Flag.Int("max").pipe(
      Flag.withDescription("Replay at most N records of this selection"),
      Flag.optional,
    ),
    yes: Flag.Boolean("yes").pipe(
      Flag.withAlias("y"),
      Flag.withDescription("Do not ask for confirmation"),
      Flag.withDefault(false),
    ),
    force: Flag.Boolean("force").pipe(
      Flag.withDescription("Replay records whose reason cannot succeed by retrying"),
      Flag.withDefault(false),
    ),
    operator: Flag.String("operator").pipe(
      Flag.withDescription("Who runs the replay (default: the OS user)"),
      Flag.optional,
    ),
    maxReplays: Flag.Int("max-replays").pipe(
      Flag.withDescription(
        "Park records already replayed this many times (default $LEDGERLINE_DLQ_MAX_REPLAYS or 3)",
      ),
      Flag.optional,
    ),
    json: jsonFlag,
  },
  Effect.fn(function* (input) {
    const config = yield* CliConfig;
    const filter = yield* toFilter(input, commaList(input.ids));
    const to = Option.getOrUndefined(input.to);
    if (to !== undefined && !(replayTargets as readonly string[]).includes(to)) {
      return yield* Effect.fail(
        CliFailure.usage(
          `--to ${to}: not a replay target declared in topology/ (${replayTargets.join(", ")})`,
        ),
      );
    }
    const rateText = Option.getOrUndefined(input.rate);
    const rateMatch = rateText === undefined ? undefined : RATE.exec(rateText);
    if (rateText !== undefined && (!rateMatch || Number(rateMatch[1]) <= 0))
      return yield* Effect.fail(CliFailure.usage(`--rate ${rateText}: expected N/s with N > 0`));
    const max = Option.getOrUndefined(input.max);
    if (max !== undefined && max < 1) return yield* Effect.fail(CliFailure.usage("--max must be at least 1"));
    const options: ReplayOptions = {
      filter,
      to: to as TopicId | undefined,
      max,
      force: input.force,
      maxReplays: Option.getOrElse(input.maxReplays, () => config.maxReplays),
    };
    const connection = kafkaConnection(config);
    const codec = registryCodec(config);
    const snapshot = yield* attempt("read the DLQ", () => scanDlq(connection, codec));
    // Group ids are namespaced: the key alone is enough to tell this selection's progress.
    const probe = planReplay(snapshot, new Map(), options, codec.names);
    const committed = yield* attempt("read the replay group's progress", () =>
      committedOffsets(connection, snapshot.topic, groupIdFor(codec, probe.groupKey)),
    );
    const plan = planReplay(snapshot, committed, options, codec.names);
    const replayId = randomUUID();
    const operator = Option.getOrElse(input.operator, () => userInfo().username);
    const auditFilter = {
      ...canonicalFilter(filter),
      ...(to ? { to } : {}),
      ...(max ? { max } : {}),
      ...(input.force ? { force: true } : {}),
      group: plan.groupKey,
    };

    const describe = plan.records.map(({ record, verdict }) => ({
      coordinates: coordinatesOf(record),
      transactionId: record.envelope?.transaction_id ?? null,
      reason: record.envelope?.reason_code ?? "UNDECODABLE",
      action: verdict._tag,
      target: verdict._tag === "Replay" ? codec.names.topic(verdict.target) : null,
      why: "why" in verdict ? verdict.why : null,
    }));
    const summary = { replayId, dryRun: input.dryRun, group: plan.groupKey, ...plan.counts };
    if (!input.json) {
      if (describe.length > 0) {
        yield* Console.log(
          renderTable(
            ["P:OFFSET", "TRANSACTION", "REASON", "ACTION", "TO", "WHY"],
            describe.map((d) => [
              d.coordinates,
              d.transactionId ?? "",
              d.reason,
              d.action,
              d.target ?? "",
              d.why ?? "",
            ]),
          ),
        );
      }
      yield* Console.log(
        `\n${plan.counts.selected} selected: ${plan.counts.replay} to replay, ${plan.counts.alreadyReplayed} already replayed by this replay, ${plan.counts.refused} refused, ${plan.counts.parked} parked, ${plan.counts.overMax} over --max`,
      );
    }

    const audit = (dryRun: boolean) =>
      attempt("record the replay audit", () =>
        startReplayAudit(config.databaseUrl, {
          replayId,
          operator,
          filter: auditFilter,
          dryRun,
          selected: plan.counts.selected,
        }),
      );
    const finish = (replayed: number) =>
      attempt("record the replay audit", () =>
        finishReplayAudit(config.databaseUrl, replayId, {
          selected: plan.counts.selected,
          replayed,
          refused: plan.counts.refused,
          parked: plan.counts.parked,
        }),
      );

    if (input.dryRun) {
      yield* audit(true);
      yield* finish(0);
      if (input.json) yield* Console.log(toJson({ ...summary, replayed: 0, records: describe }));
      else yield* Console.log("dry run: nothing was changed");
      return;
    }
    if (plan.counts.refused > 0 && !input.force) {
      yield* audit(false);
      yield* finish(0);
      if (input.json) yield* Console.log(toJson({ ...summary, replayed: 0, records: describe }));
      return yield* Effect.fail(
        CliFailure.refused(
          `refusing to replay: ${plan.counts.refused} selected record(s) cannot succeed by retrying; narrow the selection or pass --force`,
        ),
      );
    }
    if (plan.counts.replay === 0) {
      yield* audit(false);
      yield* finish(0);
      if (input.json) yield* Console.log(toJson({ ...summary, replayed: 0, records: describe }));
      else yield* Console.log("nothing to replay");
      return;
    }
    if (!input.yes) {
      const ok = yield* confirm(`Replay ${plan.counts.replay} record(s) (replay ${replayId})?`);
      if (!ok)
        return yield* Effect.fail(
          CliFailure.refused("replay not confirmed (pass --yes to run without a prompt)"),
        );
    }
    yield* audit(false);
    const bar = progress("replaying", plan.counts.replay, progressMode(input.json));
    const outcome = yield* attempt("replay", () =>
      runReplay(plan, snapshot, {
        ...options,
        replayId,
        connection,
        codec,
        rate: rateMatch ? Number(rateMatch[1]) : undefined,
        onReplayed: (n) => bar.update(Math.min(n, plan.counts.replay)),
      }),
    ).pipe(Effect.ensuring(Effect.sync(() => bar.stop())));
    yield* finish(outcome.replayed);
    if (input.json) yield* Console.log(toJson({ ...summary, replayed: outcome.replayed, records: describe }));
    else yield* Console.log(`replayed ${outcome.replayed} record(s) exactly once (replay ${replayId})`);
  }),
).pipe(
  Command.withDescription(
    "Replay dead letters to their original topic inside Kafka transactions (exactly once), with an audit row",
  ),
  Command.withExamples([
    {
      command: "ledgerline dlq replay --reason ENRICHMENT_FAILED --dry-run",
      description: "see what would be replayed where",
    },
    {
      command: "ledgerline dlq replay --ids 0:12,1:7 --rate 20/s --yes",
      description: "replay two records, paced",
    },
  ]),
);
