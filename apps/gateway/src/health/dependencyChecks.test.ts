// The checks' timeout and GET /health's cache on the test clock: no I/O, no real waiting.
import { Effect, Fiber } from "effect";
import { TestClock } from "effect/testing";
import { describe, expect, it } from "vitest";
import { cachedDependencyChecks, checkDependencies, type DependencyChecks } from "./dependencyChecks.ts";

/** Checks that count their calls; `kafka` fails, `database` can be made to hang. */
const counted = (options: { readonly hangDatabase?: boolean } = {}) => {
  const calls = { kafka: 0, schema_registry: 0, database: 0 };
  const checks: DependencyChecks = {
    kafka: Effect.suspend(() => {
      calls.kafka++;
      return Effect.fail({ detail: "Kafka: refused" });
    }),
    schema_registry: Effect.sync(() => void calls.schema_registry++),
    database: Effect.suspend(() => {
      calls.database++;
      return options.hangDatabase ? Effect.never : Effect.void;
    }),
  };
  return { calls, checks };
};

const run = <A>(effect: Effect.Effect<A>) =>
  Effect.runPromise(effect.pipe(Effect.provide(TestClock.layer())));

describe("checkDependencies", () => {
  it("reports each dependency up or down, and a hung one down once its timeout passes", async () => {
    const { checks } = counted({ hangDatabase: true });
    const report = await run(
      Effect.gen(function* () {
        const fiber = yield* Effect.forkChild(checkDependencies(checks, 1_000));
        yield* TestClock.adjust("1 second");
        return yield* Fiber.join(fiber);
      }),
    );
    expect(report).toEqual({
      kafka: { status: "down", detail: "Kafka: refused" },
      schema_registry: { status: "up" },
      database: { status: "down", detail: "no answer within 1000 ms" },
    });
  });
});

describe("cachedDependencyChecks", () => {
  it("checks once per time-to-live, however often asked", async () => {
    const { calls, checks } = counted();
    const seen = await run(
      Effect.gen(function* () {
        const health = yield* cachedDependencyChecks(checks, { timeoutMs: 1_000, ttlMs: 2_000 });
        const first = yield* health;
        yield* TestClock.adjust("1999 millis");
        const cached = yield* health;
        const callsWithinTtl = { ...calls };
        yield* TestClock.adjust("1 millis");
        const fresh = yield* health;
        return { first, cached, fresh, callsWithinTtl };
      }),
    );
    expect(seen.callsWithinTtl).toEqual({ kafka: 1, schema_registry: 1, database: 1 });
    expect(seen.cached).toBe(seen.first);
    expect(calls).toEqual({ kafka: 2, schema_registry: 2, database: 2 });
    expect(seen.fresh.checkedAt.getTime() - seen.first.checkedAt.getTime()).toBe(2_000);
    expect(seen.first.components.kafka).toEqual({ status: "down", detail: "Kafka: refused" });
  });

  it("lets concurrent callers share the check in flight, a hung dependency bounding it", async () => {
    const { calls, checks } = counted({ hangDatabase: true });
    const answers = await run(
      Effect.gen(function* () {
        const health = yield* cachedDependencyChecks(checks, { timeoutMs: 500, ttlMs: 2_000 });
        const fibers = yield* Effect.forEach(Array.from({ length: 20 }), () => Effect.forkChild(health));
        yield* TestClock.adjust("500 millis");
        return yield* Fiber.joinAll(fibers);
      }),
    );
    expect(calls).toEqual({ kafka: 1, schema_registry: 1, database: 1 });
    expect(new Set(answers).size).toBe(1);
    expect(answers[0]?.components.database).toEqual({ status: "down", detail: "no answer within 500 ms" });
  });
});
