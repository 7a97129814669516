// `ledgerline seed`: loads the first N PaySim rows into Postgres as Historical transactions.
import { Console, Effect, Option } from "effect";
import { Command, Flag } from "effect/cli";
import { CliFailure } from "../CliFailure.ts";
import { CliConfig } from "../Config.ts";
import { loadPaysim } from "../paysim/load.ts";
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
    json: jsonFlag,
  },
  Effect.fn(function* ({ file, count, currency, json }) {
    const config = yield* CliConfig;
    if (count < 0) return yield* Effect.fail(CliFailure.usage("--count must be zero or more"));
    const code = yield* parseCurrency(currency);
    const mapped = yield* attempt("read PaySim file", () =>
      loadPaysim(Option.getOrUndefined(file), { currency: code, count }),
    );
    const bad = mapped.filter((row) => !row.ok);
    if (bad.length > 0) {
      const lines = bad.slice(0, 5).map((row) => (row.ok ? "" : `  line ${row.line}: ${row.message}`));
      return yield* Effect.fail(
        CliFailure.failed(`${bad.length} row(s) cannot be loaded:\n${lines.join("\n")}`),
      );
    }
    const transactions = mapped.flatMap((row) => (row.ok ? [row.transaction] : []));
    const bar = progress("seeding rows", transactions.length, progressMode(json));
    const result = yield* attempt("seed the ledger database", () =>
      insertHistorical(config.databaseUrl, transactions, (done) => bar.update(done)),
    ).pipe(Effect.ensuring(Effect.sync(() => bar.stop())));
    const historical = yield* attempt("count Historical rows", () => countHistorical(config.databaseUrl));
    if (json) {
      yield* Console.log(toJson({ read: transactions.length, ...result, historical }));
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
  ]),
);
