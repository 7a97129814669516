// `ledgerline seed`: loads the first N PaySim rows into Postgres as Historical transactions.

import { CliFailure } from "@ledgerline/resilience";
import { Console, Effect, Option } from "effect";
import { Command, Flag } from "effect/cli";
import { CliConfig } from "../Config.ts";
import { checkPaysim, usablePaysim } from "../paysim/load.ts";
import { progress, progressMode } from "../progress.ts";
import { countHistorical, insertHistorical } from "../seed/historicalRows.ts";
import { toJson } from "../table.ts";
import { attempt, currencyFlag, fileFlag, jsonFlag, parseCurrency } from "./shared.ts";

export const seedCommand = Command.make(
  "seed",
  {
    file: fileFlag,
    count: Flag.Int("count").pipe(
      Flag.withDescription("How many rows to load from the top of the file"),
      Flag.withDefault(100),
    ),
    currency: currencyFlag,
    dryRun: Flag.Boolean("dry-run").pipe(
      Flag.withDescription("Only read and check the rows (streamed, as the seed does); write nothing"),
      Flag.withDefault(false),
    ),
    json: jsonFlag,
  },
  Effect.fn(function* ({ file, count, currency, dryRun, json }) {
    const config = yield* CliConfig;
    if (count < 0) return yield* Effect.fail(CliFailure.usage("--count must be zero or more"));
    const code = yield* parseCurrency(currency);
    const path = Option.getOrUndefined(file);
    const options = { currency: code, count };
    // First pass: every row of the selection must be usable before any is written (memory stays flat).
    const checked = yield* attempt("read PaySim file", () => checkPaysim(path, options));
    if (checked.unusable > 0) {
      const lines = checked.firstUnusable.map((row) => `  line ${row.line}: ${row.message}`);
      return yield* Effect.fail(
        CliFailure.failed(`${checked.unusable} row(s) cannot be loaded:\n${lines.join("\n")}`),
      );
    }
    if (dryRun) {
      yield* Console.log(
        json
          ? toJson({ read: checked.read, dryRun: true })
          : `read ${checked.read} row(s), every one usable; nothing written (--dry-run)`,
      );
      return;
    }
    // Second pass: the same rows again, streamed into the ledger in chunks.
    const bar = progress("seeding rows", checked.read, progressMode(json));
    const result = yield* attempt("seed the ledger database", () =>
      insertHistorical(config.databaseUrl, usablePaysim(path, options), (done) => bar.update(done)),
    ).pipe(Effect.ensuring(Effect.sync(() => bar.stop())));
    const historical = yield* attempt("count Historical rows", () => countHistorical(config.databaseUrl));
    if (json) {
      yield* Console.log(toJson({ read: checked.read, ...result, historical }));
    } else {
      yield* Console.log(
        `seeded ${result.inserted} Historical transaction(s) (${result.alreadyPresent} already present); the ledger now holds ${historical} Historical rows`,
      );
    }
  }),
).pipe(
  Command.withDescription(
    "Load historical transactions from a PaySim CSV straight into Postgres (status Historical; idempotent)",
  ),
  Command.withExamples([
    { command: "ledgerline seed --count 100", description: "seed 002: the first 100 rows of the sample" },
    {
      command: "ledgerline seed --file paysim.csv --count 6400000 --dry-run",
      description: "check every row of the real data set without writing any",
    },
  ]),
);
