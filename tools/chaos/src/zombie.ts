// What a paused instance tried when it woke: its log (the supervisor's logs/<instance>.log: JSON lines from
// Effect's logger, at info in chaos runs) from the pause on, for a while after SIGCONT. A zombie that was
// fenced says so there: a "Fenced" commit, a stale batch refused ("StaleOffsets: batch not ours"), reading
// again from its stored positions after the group moved on.
import { closeSync, openSync, readSync, statSync } from "node:fs";

export interface PauseReport {
  readonly target: string;
  /** ms since the run's start: SIGSTOP, and SIGCONT. */
  readonly atMs: number;
  readonly wokeMs: number;
  /** False when the instance was SIGKILLed while paused (its restart is another process). */
  readonly resumed: boolean;
  /**
   * What it met after waking: faults per reason (its warn/error lines; one may stand for many retries), and
   * its other lines per message (a rejoin, a new read session), its per-batch progress lines apart.
   */
  readonly tried: Readonly<Record<string, number>>;
  /** Its first few such lines after waking: "reason: error". */
  readonly examples: readonly string[];
}

interface LogLine {
  readonly level?: string;
  readonly message?: unknown;
  readonly timestamp?: string;
  readonly annotations?: Readonly<Record<string, unknown>>;
}

const parse = (line: string): LogLine | undefined => {
  try {
    const value = JSON.parse(line) as unknown;
    return typeof value === "object" && value !== null ? (value as LogLine) : undefined;
  } catch {
    return undefined;
  }
};

/** Lines every batch writes: not something the zombie tried. */
const PROGRESS = /batch committed/;

const text = (value: unknown): string => (Array.isArray(value) ? value.join(" ") : String(value ?? ""));

/** The reason a line names: its `reason` annotation, else the first words of its message. */
const reasonOf = (line: LogLine): string => {
  const reason = line.annotations?.reason;
  return typeof reason === "string" ? reason : text(line.message).split(/[:,]/)[0]?.slice(0, 60) || "?";
};

/** What the woken instance logged at warn or above, from the lines written after the pause began. */
export const summarise = (
  lines: readonly string[],
  pause: Pick<PauseReport, "target" | "atMs" | "wokeMs" | "resumed">,
): PauseReport => {
  const tried: Record<string, number> = {};
  const examples: string[] = [];
  for (const raw of lines) {
    const line = parse(raw);
    if (!line || PROGRESS.test(text(line.message))) continue;
    const fault = /^(WARN|ERROR|FATAL)/i.test(line.level ?? "");
    if (!fault && !/^INFO/i.test(line.level ?? "")) continue;
    const reason = fault ? reasonOf(line) : text(line.message).slice(0, 80);
    tried[reason] = (tried[reason] ?? 0) + 1;
    const error = line.annotations?.error;
    if (examples.length < 4)
      examples.push(`${reason}: ${(typeof error === "string" ? error : text(line.message)).slice(0, 200)}`);
  }
  return { ...pause, tried, examples };
};

export const zombieReport = {
  /** Where the log ends now (0 when there is none yet). */
  logOffset: (path: string): number => {
    try {
      return statSync(path).size;
    } catch {
      return 0;
    }
  },
  read: (
    path: string,
    from: number,
    pause: Pick<PauseReport, "target" | "atMs" | "wokeMs" | "resumed">,
  ): PauseReport => {
    let lines: string[] = [];
    try {
      const size = statSync(path).size;
      const length = Math.min(Math.max(0, size - from), 4_000_000);
      const buffer = Buffer.alloc(length);
      const fd = openSync(path, "r");
      try {
        readSync(fd, buffer, 0, length, from);
      } finally {
        closeSync(fd);
      }
      lines = buffer.toString("utf8").split("\n");
    } catch {
      // No log: nothing tried that we can tell.
    }
    return summarise(lines, pause);
  },
};
