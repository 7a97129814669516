// The selection flags shared by `dlq list` and `dlq replay`.
import { Effect, Option } from "effect";
import { Flag } from "effect/cli";
import { CliFailure } from "../CliFailure.ts";
import { type DlqFilter, parseTime } from "../dlq/filter.ts";

export const filterFlags = {
  reason: Flag.String("reason").pipe(
    Flag.withDescription("Reason code or error class (comma-separated: any of them)"),
    Flag.optional,
  ),
  stage: Flag.String("stage").pipe(
    Flag.withDescription("Stage that dead-lettered it: processor, ledger-sink, dlq-replay"),
    Flag.optional,
  ),
  topic: Flag.String("topic").pipe(
    Flag.withDescription("Original topic (real name or catalogue id, e.g. requested)"),
    Flag.optional,
  ),
  since: Flag.String("since").pipe(
    Flag.withDescription("Dead-lettered at or after: ISO time or relative (30m, 2h, 7d)"),
    Flag.optional,
  ),
  until: Flag.String("until").pipe(
    Flag.withDescription("Dead-lettered at or before: ISO time or relative"),
    Flag.optional,
  ),
  account: Flag.String("account").pipe(Flag.withDescription("Account id (the record key)"), Flag.optional),
  transaction: Flag.String("transaction").pipe(Flag.withDescription("Transaction id"), Flag.optional),
};

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
      reasons: Option.match(input.reason, {
        onNone: () => [],
        onSome: (text) =>
          text
            .split(",")
            .map((s) => s.trim())
            .filter(Boolean),
      }),
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
