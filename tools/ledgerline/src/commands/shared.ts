// Flags and helpers several commands share.
import { type CurrencyCode, isSupportedCurrency } from "@ledgerline/domain";
import { CliFailure, toCliFailure } from "@ledgerline/resilience";
import { Effect } from "effect";
import { Flag } from "effect/cli";

export const jsonFlag = Flag.Boolean("json").pipe(
  Flag.withDescription("Print machine-readable JSON"),
  Flag.withDefault(false),
);

export const fileFlag = Flag.String("file").pipe(
  Flag.withDescription(
    "PaySim-format CSV (default: data/paysim-sample.csv; drop the real paysim.csv in to use it)",
  ),
  Flag.optional,
);

export const currencyFlag = Flag.String("currency").pipe(
  Flag.withDescription("ISO 4217 currency PaySim amounts are read in"),
  Flag.withDefault("USD"),
);

export const parseCurrency = (code: string) =>
  isSupportedCurrency(code)
    ? Effect.succeed(code as CurrencyCode)
    : Effect.fail(CliFailure.usage(`--currency ${code} is not a supported ISO 4217 code`));

/** Runs a promise-returning step; its failure becomes a CliFailure (exit 3 when a service is unreachable). */
export const attempt = <A>(what: string, work: () => Promise<A>) =>
  Effect.tryPromise({ try: work, catch: toCliFailure(what) });
