// The selection flags shared by `dlq list` and `dlq replay`.

import { CliFailure } from "@ledgerline/resilience";
import { Effect, Option } from "effect";
import { Flag } from "effect/cli";
import { type DlqFilter, parseTime } from "../dlq/filter.ts";

const optionalText = (name: string, description: string) =>
  Flag.String(name).pipe(Flag.withDescription(description), Flag.optional);

export const filterFlags = {
  reason: optionalText("reason", "Reason code or error class (comma-separated: any of them)"),
  stage: optionalText("stage", "Stage that dead-lettered it: processor, ledger-sink, dlq-replay"),
  topic: optionalText("topic", "Original topic (real name or catalogue id, e.g. requested)"),
  since: optionalText("since", "Dead-lettered at or after: ISO time or relative (30m, 2h, 7d)"),
  until: optionalText("until", "Dead-lettered at or before: ISO time or relative"),
  account: optionalText("account", "Account id (the record key)"),
  transaction: optionalText("transaction", "Transaction id"),
};

/** The items of a comma-separated flag (none when it is absent). */
export const commaList = (value: Option.Option<string>): string[] =>
  Option.match(value, {
    onNone: () => [],
    onSome: (text) =>
      text
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
  });

type FilterInput = { [K in keyof typeof filterFlags]: Option.Option<string> };

export const toFilter = (input: FilterInput, ids: readonly string[] = []) =>
  Effect.gen(function* () {
    const now = new Date();
    const time = (flag: string, value: Option.Option<string>) =>
      Option.match(value, {
        onNone: () => Effect.succeed(undefined),
        onSome: (text) => {
          const date = parseTime(text, now);
          return date
            ? Effect.succeed(date)
            : Effect.fail(
                CliFailure.usage(`--${flag} ${text}: expected an ISO time or a duration like 30m, 2h, 7d`),
              );
        },
      });
    const filter: DlqFilter = {
      reasons: commaList(input.reason),
      stage: Option.getOrUndefined(input.stage),
      topic: Option.getOrUndefined(input.topic),
      since: yield* time("since", input.since),
      until: yield* time("until", input.until),
      account: Option.getOrUndefined(input.account),
      transactionId: Option.getOrUndefined(input.transaction),
      ids,
    };
    return filter;
  });
