// Idle, with every fetched record written: each partition's fetch position (past the commit markers of
// transactional producers) is stored, so Postgres says "caught up" exactly when the log is consumed. At
// most once a second, and only positions that moved: the state for that lives here, across sessions.
import { holdsPartition, LedgerDb, storePositions, verifyClaims } from "@ledgerline/ledger-db";
import { Effect } from "effect";
import { caughtUpPositions } from "../commitPosition.ts";
import type { SessionStream } from "./applyBatch.ts";
import type { Assignment } from "./context.ts";

const INTERVAL_MS = 1_000;

export class IdlePositions {
  #storedAt = 0;
  /** The position last stored per "topic:partition". */
  readonly #stored = new Map<string, bigint>();
  readonly #groupId: string;

  constructor(groupId: string) {
    this.#groupId = groupId;
  }

  /** Stores the moved fetch positions of the partitions this session claimed; failures are left for the next time. */
  store(assignment: Assignment, source: SessionStream): Effect.Effect<void, never, LedgerDb> {
    return Effect.gen({ self: this }, function* () {
      if (Date.now() - this.#storedAt < INTERVAL_MS) return;
      this.#storedAt = Date.now();
      const caughtUp = caughtUpPositions(source.reader, source.stream);
      if (!caughtUp) return;
      const moved = [...caughtUp].filter(
        ([key, offset]) => !assignment.blocked.has(key) && this.#stored.get(key) !== offset,
      );
      // Only the partitions this instance holds: the stream keeps positions of earlier assignments too.
      const positions = moved
        .map(([key, offset]) => {
          const split = key.lastIndexOf(":");
          const topic = key.slice(0, split);
          return {
            topic,
            partition: Number(key.slice(split + 1)),
            nextOffset: offset,
            topicId: assignment.topicIds.get(topic) ?? null,
          };
        })
        .filter((position) => holdsPartition(assignment.claimed, position.topic, position.partition));
      if (positions.length === 0) return;
      const db = yield* LedgerDb;
      const groupId = this.#groupId;
      yield* db
        .transaction("store idle positions", async (tx) => {
          await verifyClaims(tx, groupId, positions, assignment.claimed);
          await storePositions(tx, groupId, positions);
        })
        .pipe(
          Effect.tap(() =>
            Effect.sync(() => {
              for (const p of positions) this.#stored.set(`${p.topic}:${p.partition}`, p.nextOffset);
            }),
          ),
          Effect.catch(() => Effect.void),
        );
    });
  }
}
