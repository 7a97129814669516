import { componentHealth } from "@ledgerline/observability";
import { Clock, Effect, Exit, Fiber } from "effect";
import { TestClock } from "effect/testing";
import { describe, expect, it } from "vitest";
import {
  type FaultReason,
  type Renewal,
  RetryDecision,
  type SessionLoopOptions,
  type SessionProgress,
  StageFault,
  sessionLoop,
} from "../src/index.ts";

const health = componentHealth("session-loop-test");
const fault = (reason: FaultReason) => new StageFault({ reason, message: `test: ${reason}` });

/** Runs the loop on the test clock until it ends; returns how it ended and when each session started. */
const run = (
  session: (call: number, progress: SessionProgress) => Effect.Effect<unknown, unknown>,
  options: Partial<SessionLoopOptions> = {},
  /** How far the test clock moves (none: the loop must end without waiting). */
  advance: "10 minutes" | "none" = "10 minutes",
) =>
  Effect.gen(function* () {
    const starts: number[] = [];
    const loop = sessionLoop(
      (progress) =>
        Effect.gen(function* () {
          starts.push(yield* Clock.currentTimeMillis);
          return yield* session(starts.length, progress);
        }),
      { health, what: "test session", retry: { baseMs: 100, maxMs: 100_000 }, ...options },
    );
    const fiber = yield* Effect.forkChild(loop);
    if (advance !== "none") yield* TestClock.adjust(advance);
    const exit = yield* Fiber.await(fiber);
    return { exit, starts, gaps: starts.slice(1).map((at, i) => at - (starts[i] ?? 0)) };
  }).pipe(Effect.provide(TestClock.layer()), Effect.runPromise);

const expectGap = (gap: number | undefined, ms: number) => {
  // backoffDelayMs jitters from 80% to 120%.
  expect(gap).toBeGreaterThanOrEqual(ms * 0.8);
  expect(gap).toBeLessThanOrEqual(ms * 1.2);
};

const failureOf = (exit: Exit.Exit<unknown, unknown>) =>
  Exit.isFailure(exit) ? exit.cause.reasons.find((r) => r._tag === "Fail")?.error : undefined;

describe("sessionLoop", () => {
  it("backs off further after each failed session, renews what the policy names, stops on a fatal fault", async () => {
    const renewed: (readonly Renewal[])[] = [];
    const { exit, gaps } = await run(
      (call) => Effect.fail(call <= 3 ? fault("BrokerUnavailable") : fault("Misconfigured")),
      { renew: (renewals) => Effect.sync(() => void renewed.push(renewals)) },
    );
    expect(failureOf(exit)).toMatchObject({ _tag: "StageFault", reason: "Misconfigured" });
    expect(gaps).toHaveLength(3);
    expectGap(gaps[0], 100);
    expectGap(gaps[1], 200);
    expectGap(gaps[2], 400);
    expect(renewed).toEqual([["consumer"], ["consumer"], ["consumer"]]);
  });

  it("classifies what a session throws", async () => {
    const { exit } = await run(() => Effect.fail(new Error("something unexpected")));
    expect(failureOf(exit)).toMatchObject({ reason: "Defect" });
  });

  it("starts the backoff over after a session that made progress", async () => {
    const { gaps } = await run((call, progress) =>
      Effect.gen(function* () {
        if (call === 3) progress.made();
        return yield* Effect.fail(fault(call < 5 ? "DatabaseUnavailable" : "Defect"));
      }),
    );
    expect(gaps).toHaveLength(4);
    expectGap(gaps[0], 100);
    expectGap(gaps[1], 200);
    expectGap(gaps[2], 100);
    expectGap(gaps[3], 200);
  });

  it("counts a session that lasted `progressAfterMs` as progress", async () => {
    const { gaps } = await run(
      (call) =>
        Effect.gen(function* () {
          yield* Effect.sleep(call === 2 ? "2 seconds" : "10 millis");
          return yield* Effect.fail(fault(call < 4 ? "StreamClosed" : "Defect"));
        }),
      { progressAfterMs: 1_000 },
    );
    expectGap(gaps[0], 10 + 100);
    // The second session lasted: its failure waits the first delay again.
    expectGap((gaps[1] ?? 0) - 2_000, 100);
    expectGap(gaps[2], 10 + 200);
  });

  it("starts a session that ended normally again at once", async () => {
    let renewals = 0;
    const { exit, starts } = await run(
      (call) => (call <= 3 ? Effect.void : Effect.fail(fault("Defect"))),
      { renew: () => Promise.resolve(void renewals++) },
      "none",
    );
    expect(failureOf(exit)).toMatchObject({ reason: "Defect" });
    expect(starts).toEqual([0, 0, 0, 0]);
    expect(renewals).toBe(0);
  });

  it("follows a custom classifier and policy (retry everything but one reason)", async () => {
    const { exit, starts } = await run((call) => Effect.fail(call <= 2 ? "fatal-looking" : "the end"), {
      classify: (error) => fault(error === "the end" ? "Misconfigured" : "Defect"),
      policy: (reason) =>
        reason === "Misconfigured" ? RetryDecision.Stop({ reason }) : RetryDecision.Retry({ renew: [] }),
    });
    expect(starts).toHaveLength(3);
    expect(failureOf(exit)).toMatchObject({ reason: "Misconfigured" });
  });
});
