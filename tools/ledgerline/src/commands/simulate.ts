// `ledgerline simulate`: seed 002's simulate.py — posts PaySim rows to the gateway at a target rate,
// then waits for every accepted transaction's final state and prints the end-to-end latencies.

import { CliFailure } from "@ledgerline/resilience";
import { Console, Effect, Option } from "effect";
import { Command, Flag } from "effect/cli";
import { CliConfig } from "../Config.ts";
import { checkPaysim, cyclePaysim, startingWith } from "../paysim/load.ts";
import { progress, progressMode } from "../progress.ts";
import { waitForFinalStates } from "../simulate/finalStates.ts";
import { type SendResult, sendAll } from "../simulate/send.ts";
import { formatMs, parseDuration, parseRate, summarise } from "../simulate/stats.ts";
import { toJson } from "../table.ts";
import { attempt, currencyFlag, fileFlag, jsonFlag, parseCurrency } from "./shared.ts";

const reachable = (url: string) =>
  Effect.tryPromise({
    try: () => fetch(url, { signal: AbortSignal.timeout(3_000) }).then((response) => response.body?.cancel()),
    catch: (error) =>
      CliFailure.unreachable(
        `cannot reach the gateway at ${url}: ${(error as Error).cause ?? (error as Error).message}`,
      ),
  });

export const simulateCommand = Command.make(
  "simulate",
  {
    file: fileFlag,
    rate: Flag.String("rate").pipe(
      Flag.withDescription("Target requests per second, e.g. 500/s (max = unpaced)"),
      Flag.withDefault("500/s"),
    ),
    count: Flag.Int("count").pipe(
      Flag.withDescription("Send this many transactions (rows repeat when the file is shorter)"),
      Flag.optional,
    ),
    duration: Flag.String("duration").pipe(
      Flag.withDescription("Send for this long, e.g. 60s (default: one pass over the file)"),
      Flag.optional,
    ),
    concurrency: Flag.Int("concurrency").pipe(
      Flag.withDescription("Requests in flight at once"),
      Flag.withDefault(16),
    ),
    wait: Flag.String("wait").pipe(
      Flag.withDescription("Longest wait for final states in the ledger"),
      Flag.withDefault("120s"),
    ),
    currency: currencyFlag,
    json: jsonFlag,
  },
  Effect.fn(function* (input) {
    const config = yield* CliConfig;
    const rate = parseRate(input.rate);
    if (rate === undefined)
      return yield* Effect.fail(CliFailure.usage(`--rate ${input.rate}: expected N/s or max`));
    const durationMs = Option.match(input.duration, { onNone: () => undefined, onSome: parseDuration });
    if (Option.isSome(input.duration) && durationMs === undefined)
      return yield* Effect.fail(
        CliFailure.usage(`--duration ${input.duration.value}: expected e.g. 60s or 2m`),
      );
    const waitMs = parseDuration(input.wait);
    if (waitMs === undefined)
      return yield* Effect.fail(CliFailure.usage(`--wait ${input.wait}: expected e.g. 120s`));
    if (input.concurrency < 1)
      return yield* Effect.fail(CliFailure.usage("--concurrency must be at least 1"));
    const currency = yield* parseCurrency(input.currency);
    const path = Option.getOrUndefined(input.file);
    // The file's usable rows, streamed, from the top again when it ends (rows repeat when the run is longer).
    const source = cyclePaysim(path, { currency });
    const first = yield* attempt("read PaySim file", () => source.next());
    if (first.done) return yield* Effect.fail(CliFailure.failed("the PaySim file has no usable rows"));
    const rows = startingWith(first.value, source);
    // Neither --count nor --duration: one pass over the file, counted first (streamed too).
    const count =
      Option.getOrUndefined(input.count) ??
      (durationMs === undefined
        ? (yield* attempt("read PaySim file", () => checkPaysim(path, { currency }))).usable
        : undefined);
    yield* reachable(config.gatewayUrl);

    // Ctrl-C: the first stops sending (accepted ones are still awaited), the second stops waiting;
    // either way the summary is printed. A third exits at once.
    let interrupts = 0;
    const onSigint = () => {
      interrupts += 1;
      if (interrupts === 1 && !input.json)
        process.stderr.write("\nstopping: waiting for accepted transactions (Ctrl-C again to skip)\n");
      if (interrupts >= 3) process.exit(130);
    };
    process.on("SIGINT", onSigint);

    const results: SendResult[] = [];
    const tally = { accepted: 0, rejected: 0, error: 0 };
    const started = performance.now();
    const mode = progressMode(input.json);
    const bar = progress("sent", count ?? Math.ceil(((durationMs ?? 0) / 1000) * (rate || 1)), mode);
    const outcomes = (latencies: number[]) => {
      const s = summarise(latencies);
      return `accepted ${tally.accepted} rejected ${tally.rejected} errors ${tally.error}, p50 ${formatMs(s.p50)} p99 ${formatMs(s.p99)}`;
    };
    const refresh = setInterval(
      () => bar.update(results.length, outcomes(results.slice(-2000).map((r) => r.latencyMs))),
      250,
    );
    const firstErrors: string[] = [];
    // A failure here can only be the file's (requests answer with results): stop, and say so.
    yield* attempt("read PaySim file", () =>
      sendAll({
        gatewayUrl: config.gatewayUrl,
        apiKey: config.apiKey,
        rows,
        rate,
        count,
        durationMs,
        concurrency: input.concurrency,
        shouldStop: () => interrupts > 0,
        onResult: (result) => {
          results.push(result);
          tally[result.outcome] += 1;
          if (result.outcome !== "accepted" && firstErrors.length < 5)
            firstErrors.push(`${result.status} ${result.detail ?? ""}`.trim());
        },
      }).finally(() => {
        clearInterval(refresh);
        return rows.return(undefined);
      }),
    );
    const sendSeconds = (performance.now() - started) / 1000;
    clearInterval(refresh);
    bar.update(results.length, outcomes(results.map((r) => r.latencyMs)));
    bar.stop();

    const acceptedIds = results.filter((r) => r.outcome === "accepted").map((r) => r.transactionId);
    if (!input.json)
      yield* Console.error(
        `sent ${results.length} in ${sendSeconds.toFixed(1)}s; waiting for ${acceptedIds.length} accepted transaction(s) to reach the ledger…`,
      );
    const waitBar = progress("in the ledger", acceptedIds.length, mode);
    const finals = yield* attempt("poll the ledger", () =>
      waitForFinalStates(config.databaseUrl, acceptedIds, {
        timeoutMs: waitMs,
        shouldStop: () => interrupts > 1,
        onProgress: (n) => waitBar.update(n),
      }),
    ).pipe(Effect.ensuring(Effect.sync(() => waitBar.stop())));
    process.off("SIGINT", onSigint);

    const accept = summarise(results.map((r) => r.latencyMs));
    const endToEnd = summarise(finals.endToEndMs);
    const summary = {
      interrupted: interrupts > 0,
      sent: results.length,
      accepted: tally.accepted,
      rejected: tally.rejected,
      errors: tally.error,
      sendSeconds: Number(sendSeconds.toFixed(3)),
      achievedRate: Number((results.length / sendSeconds).toFixed(1)),
      acceptLatencyMs: accept,
      inLedger: acceptedIds.length - finals.missing.length,
      byStatus: finals.byStatus,
      missing: finals.missing.length,
      endToEndMs: endToEnd,
      firstErrors,
    };
    if (input.json) yield* Console.log(toJson(summary));
    else {
      yield* Console.log(
        [
          `${interrupts > 0 ? "interrupted: " : ""}sent ${summary.sent} at ${summary.achievedRate}/s: ${summary.accepted} accepted, ${summary.rejected} rejected, ${summary.errors} errors`,
          `accept latency     p50 ${formatMs(accept.p50)}  p90 ${formatMs(accept.p90)}  p99 ${formatMs(accept.p99)}  max ${formatMs(accept.max)}`,
          `in the ledger      ${summary.inLedger}/${summary.accepted} (${
            Object.entries(finals.byStatus)
              .map(([s, n]) => `${n} ${s}`)
              .join(", ") || "none"
          })${summary.missing ? `, ${summary.missing} not final yet` : ""}`,
          `accept → final     p50 ${formatMs(endToEnd.p50)}  p90 ${formatMs(endToEnd.p90)}  p99 ${formatMs(endToEnd.p99)}  max ${formatMs(endToEnd.max)}`,
          ...firstErrors.map((e) => `  e.g. ${e}`),
        ].join("\n"),
      );
    }
    if (interrupts > 0)
      return yield* Effect.fail(CliFailure.interrupted("interrupted by Ctrl-C (summary above)"));
    if (summary.errors > 0 || summary.missing > 0) {
      return yield* Effect.fail(
        CliFailure.failed(
          `${summary.errors} request error(s), ${summary.missing} accepted transaction(s) not final in the ledger`,
        ),
      );
    }
  }),
).pipe(
  Command.withDescription(
    "Post PaySim rows to the gateway at a target rate, then wait for the ledger and print accept → final latencies",
  ),
  Command.withExamples([
    { command: "ledgerline simulate --count 500 --rate 200/s", description: "500 transactions at 200/s" },
    {
      command: "ledgerline simulate --duration 60s --rate 500/s --concurrency 32",
      description: "one minute of traffic",
    },
  ]),
);
