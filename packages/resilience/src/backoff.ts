// The one backoff of every retry loop: exponential from `baseMs`, capped at `maxMs`, jittered, forever.
import { Schedule } from "effect";

export interface BackoffOptions {
  readonly baseMs?: number;
  readonly maxMs?: number;
}

export const DEFAULT_BACKOFF = { baseMs: 100, maxMs: 5_000 } as const;

export const backoff = (options: BackoffOptions = {}) =>
  Schedule.min([
    Schedule.exponential(`${options.baseMs ?? DEFAULT_BACKOFF.baseMs} millis`),
    Schedule.spaced(`${options.maxMs ?? DEFAULT_BACKOFF.maxMs} millis`),
  ]).pipe(Schedule.jittered);

/** The delay before attempt `failures + 1` of a hand-rolled loop (same curve as `backoff`). */
export const backoffDelayMs = (failures: number, options: BackoffOptions = {}): number => {
  const base = options.baseMs ?? DEFAULT_BACKOFF.baseMs;
  const max = options.maxMs ?? DEFAULT_BACKOFF.maxMs;
  const ceiling = Math.min(max, base * 2 ** Math.min(failures, 20));
  // Schedule.jittered's spread: 80% to 120% of the delay.
  return Math.round(ceiling * (0.8 + Math.random() * 0.4));
};
