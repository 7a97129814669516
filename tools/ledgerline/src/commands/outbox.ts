// `ledgerline outbox parked | retry`: outbox events the relay set aside because it could not publish
// them (their reason), and putting them back in line once the cause is fixed.
import { parkedEvents, retryParked } from "@ledgerline/ledger-db";
import { Console, Effect } from "effect";
import { Command, Flag } from "effect/cli";
import { CliConfig } from "../Config.ts";
import { withPool } from "../sink/positions.ts";
import { renderTable, toJson, truncate } from "../table.ts";
import { attempt, jsonFlag } from "./shared.ts";

const parkedCommand = Command.make(
  "parked",
  { json: jsonFlag },
  Effect.fn(function* ({ json }) {
    const config = yield* CliConfig;
    const rows = yield* attempt("read parked events", () => withPool(config.databaseUrl, parkedEvents));
    if (json) {
      yield* Console.log(toJson(rows));
      return;
    }
    if (rows.length === 0) {
      yield* Console.log("no parked outbox events");
      return;
    }
    yield* Console.log(
      renderTable(
        ["EVENT", "TOPIC", "TYPE", "KEY", "PARKED", "REASON"],
        rows.map((r) => [
          r.event_id,
          r.topic_id,
          r.event_type,
          r.aggregate_id,
          r.parked_at,
          truncate(r.park_reason, 80),
        ]),
      ),
    );
  }),
).pipe(Command.withDescription("Outbox events the relay could not publish, with the reason"));

const retryCommand = Command.make(
  "retry",
  {
    event: Flag.String("event").pipe(Flag.withDescription("An event id (repeat for more)"), Flag.atLeast(0)),
    all: Flag.Boolean("all").pipe(Flag.withDescription("Every parked event"), Flag.withDefault(false)),
  },
  Effect.fn(function* ({ event, all }) {
    const config = yield* CliConfig;
    if (event.length === 0 && !all) {
      yield* Console.log("name events with --event <id>, or pass --all");
      return;
    }
    const count = yield* attempt("unpark events", () =>
      withPool(config.databaseUrl, (pool) => retryParked(pool, all ? [] : event)),
    );
    yield* Console.log(`${count} event(s) back in line for the relay`);
  }),
).pipe(
  Command.withDescription("Put parked events back in line (after fixing why they could not be published)"),
);

export const outboxCommand = Command.make("outbox").pipe(
  Command.withDescription("The transactional outbox: events the relay parked"),
  Command.withSubcommands([parkedCommand, retryCommand]),
);
