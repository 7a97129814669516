#!/usr/bin/env node
// ledgerline: the ops CLI (DLQ inspect/replay, PaySim seed and simulate). Exit codes (CliFailure.ts of
// @ledgerline/resilience, shared with the topology CLI): 0 ok, 1 failure or refusal, 2 usage error,
// 3 an unreachable service, 130 Ctrl-C.
import { NodeServices } from "@effect/platform-node";
import { CliFailure, ExitCode, exitCodeFor } from "@ledgerline/resilience";
import { Cause, Effect, Exit, Layer } from "effect";
import { CliError, Command } from "effect/cli";
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
  if (Cause.hasInterruptsOnly(exit.cause)) return ExitCode.interrupted;
  const error = Cause.squash(exit.cause);
  const code = exitCodeFor(error);
  // effect/cli has printed its parse errors and help, and our CliFailures' text; anything else is shown here.
  const printed = error instanceof CliFailure || (CliError.isCliError(error) && error._tag !== "UserError");
  if (!printed) console.error(error);
  return code;
};

const program = Command.run(root, { version: "0.1.0" }).pipe(
  Effect.provide(Layer.mergeAll(NodeServices.layer, CliConfig.layer)),
);

const exit = await Effect.runPromiseExit(program);
process.exitCode = exitCodeOf(exit);
