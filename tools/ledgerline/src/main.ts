#!/usr/bin/env node
// ledgerline: the ops CLI (DLQ inspect/replay, PaySim seed and simulate). Exit codes: 0 ok,
// 1 failure or refusal, 2 usage error or an unreachable service.
import { NodeServices } from "@effect/platform-node";
import { Cause, Effect, Exit, Layer } from "effect";
import { Command } from "effect/cli";
import { CliFailure, ExitCode } from "./CliFailure.ts";
import { CliConfig } from "./Config.ts";
import { dlqCommand } from "./commands/dlq.ts";
import { outboxCommand } from "./commands/outbox.ts";
import { reconcileCommand } from "./commands/reconcile.ts";
import { seedCommand } from "./commands/seed.ts";
import { simulateCommand } from "./commands/simulate.ts";
import { sinkCommand } from "./commands/sink.ts";

const root = Command.make("ledgerline").pipe(
  Command.withDescription(
    "ledgerline ops toolkit: inspect and replay the DLQ, seed PaySim history, simulate traffic, sink positions, parked outbox events, reconcile the ledger",
  ),
  Command.withSubcommands([
    dlqCommand,
    seedCommand,
    simulateCommand,
    sinkCommand,
    outboxCommand,
    reconcileCommand,
  ]),
);

const exitCodeOf = (exit: Exit.Exit<unknown, unknown>): number => {
  if (Exit.isSuccess(exit)) return ExitCode.ok;
  if (Cause.hasInterruptsOnly(exit.cause)) return 130;
  const error = Cause.squash(exit.cause) as { _tag?: string; errors?: readonly unknown[] } | undefined;
  if (error instanceof CliFailure) return error.exitCode;
  // Help output is a ShowHelp "error": with parse errors attached it is a usage error.
  if (error?._tag === "ShowHelp")
    return (error.errors?.length ?? 0) > 0 ? ExitCode.usageOrUnreachable : ExitCode.ok;
  if (typeof error?._tag === "string" && error._tag !== "UserError") return ExitCode.usageOrUnreachable;
  console.error(error);
  return ExitCode.failure;
};

const program = Command.run(root, { version: "0.1.0" }).pipe(
  Effect.provide(Layer.mergeAll(NodeServices.layer, CliConfig.layer)),
);

const exit = await Effect.runPromiseExit(program);
process.exitCode = exitCodeOf(exit);
