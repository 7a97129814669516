// `ledgerline reconcile`: the ledger's invariants checked against the live ledger (ledger-db's
// ledgerChecks.ts, the checks the tests and the chaos checker run), and each posted transaction's event
// read back from transactions.posted. A summary per check; exit 1 naming the offending rows on any finding.
import { names } from "@ledgerline/catalogue";
import { parseBrokers } from "@ledgerline/kafka";
import {
  checkEvents,
  type DatabasePool,
  type LedgerCheckResult,
  reconcileLedger,
  sql,
} from "@ledgerline/ledger-db";
import { CliFailure } from "@ledgerline/resilience";
import { readAllPostedEvents } from "@ledgerline/testkit";
import { Console, Effect } from "effect";
import { Command, Flag } from "effect/cli";
import { CliConfig, type CliSettings } from "../Config.ts";
import { type ProgressMode, progress, progressMode } from "../progress.ts";
import { withPool } from "../sink/positions.ts";
import { renderTable, toJson } from "../table.ts";
import { attempt, jsonFlag } from "./shared.ts";

const run = async (
  pool: DatabasePool,
  config: CliSettings,
  options: { limit: number; events: boolean; mode: ProgressMode },
): Promise<LedgerCheckResult[]> => {
  const say = (text: string) => {
    if (options.mode !== "off") process.stderr.write(`reconcile: ${text}\n`);
  };
  const posted = Number(
    await pool.oneFirst(sql.unsafe`SELECT count(*) FROM transactions WHERE status = 'posted'`),
  );
  let legs: ReturnType<typeof progress> | undefined;
  const results = await reconcileLedger(pool, {
    limit: options.limit,
    onCheck: (name) => {
      legs?.stop();
      legs = undefined;
      if (name === "legs") legs = progress("reconcile legs", posted, options.mode);
      else say(`checking ${name}`);
    },
    onLegsProgress: (checked) => legs?.update(checked),
  });
  legs?.stop();
  if (!options.events) return results;
  say(`reading ${names(config.namespace).topic("posted")}`);
  let reading: ReturnType<typeof progress> | undefined;
  const published = readAllPostedEvents(
    {
      bootstrapBrokers: parseBrokers(config.kafkaBootstrapServers),
      topic: names(config.namespace).topic("posted"),
      security: config.kafkaSecurity,
    },
    (read, total) => {
      reading ??= progress("reconcile events", total, options.mode);
      reading.update(read);
    },
  );
  const events = await checkEvents(pool, published, options.limit);
  reading?.stop();
  return [...results, events];
};

const summary = (results: readonly LedgerCheckResult[]) => {
  const table = renderTable(
    ["CHECK", "CHECKED", "FINDINGS", "TIME"],
    results.map((r) => [
      r.name,
      String(r.checked),
      String(r.findings),
      `${(r.elapsedMs / 1000).toFixed(1)} s`,
    ]),
  );
  const offenders = results
    .filter((r) => r.findings > 0)
    .map(
      (r) =>
        `${r.name}: ${r.findings} finding(s) (${r.description})${r.offenders.map((o) => `\n  ${o.id} (${o.detail})`).join("")}${
          r.findings > r.offenders.length ? `\n  … and ${r.findings - r.offenders.length} more` : ""
        }`,
    );
  return [table, ...offenders].join("\n");
};

export const reconcileCommand = Command.make(
  "reconcile",
  {
    json: jsonFlag,
    limit: Flag.Int("limit").pipe(
      Flag.withDescription("Offending rows named per check (all are counted)"),
      Flag.withDefault(20),
    ),
    skipEvents: Flag.Boolean("skip-events").pipe(
      Flag.withDescription("Skip the events check (it reads transactions.posted from Kafka)"),
      Flag.withDefault(false),
    ),
  },
  Effect.fn(function* ({ json, limit, skipEvents }) {
    const config = yield* CliConfig;
    if (limit < 0) return yield* Effect.fail(CliFailure.usage("--limit must be 0 or more"));
    const started = performance.now();
    const results = yield* attempt("reconcile the ledger", () =>
      withPool(config.databaseUrl, (pool) =>
        run(pool, config, { limit, events: !skipEvents, mode: progressMode(json) }),
      ),
    );
    const elapsedMs = Math.round(performance.now() - started);
    const findings = results.reduce((sum, r) => sum + r.findings, 0);
    if (json) yield* Console.log(toJson({ ok: findings === 0, findings, elapsedMs, checks: results }));
    else
      yield* Console.log(
        `${summary(results)}\n${findings === 0 ? "ledger reconciled" : `${findings} finding(s)`} in ${(elapsedMs / 1000).toFixed(1)} s`,
      );
    if (findings > 0) {
      const failed = results.filter((r) => r.findings > 0).map((r) => `${r.name} (${r.findings})`);
      return yield* Effect.fail(CliFailure.failed(`reconcile: findings in ${failed.join(", ")}`));
    }
  }),
).pipe(
  Command.withDescription(
    "Check the live ledger's invariants: postings, balances, statements (sequence and running balance), overdraft limits, legs, refunds, account owners, one event per posted transaction",
  ),
);
