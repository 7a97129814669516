// Progress of a long command, on stderr: a live bar on a terminal (cli-progress), plain periodic lines
// when stderr is a pipe or a file, nothing with --json (stdout then carries only the JSON document).
import cliProgress from "cli-progress";

export type ProgressMode = "bar" | "lines" | "off";

export const progressMode = (json: boolean, isTTY = process.stderr.isTTY === true): ProgressMode =>
  json ? "off" : isTTY ? "bar" : "lines";

export interface Progress {
  /** `done` so far; `extra` is appended to the line (e.g. "accepted 10 rejected 0"). */
  update(done: number, extra?: string): void;
  stop(): void;
}

const duration = (seconds: number): string => {
  if (!Number.isFinite(seconds)) return "?";
  if (seconds < 60) return `${Math.ceil(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
};

/** One plain progress line: "seed 500/1000 (50%), 250/s, ETA 2 s". Pure, for the lines mode and tests. */
export const progressLine = (p: {
  readonly label: string;
  readonly done: number;
  readonly total: number;
  readonly elapsedMs: number;
  readonly extra?: string;
  readonly final?: boolean;
}): string => {
  const rate = p.elapsedMs > 0 ? (p.done / p.elapsedMs) * 1000 : 0;
  const percent = p.total > 0 ? Math.floor((Math.min(p.done, p.total) / p.total) * 100) : 100;
  const tail = p.final
    ? `in ${(p.elapsedMs / 1000).toFixed(1)} s`
    : `ETA ${rate > 0 ? duration(Math.max(0, p.total - p.done) / rate) : "?"}`;
  return `${p.label} ${p.done}/${p.total} (${percent}%), ${Math.round(rate)}/s, ${tail}${p.extra ? `, ${p.extra}` : ""}`;
};

export interface ProgressOptions {
  /** How often the lines mode prints (default 2 s). */
  readonly intervalMs?: number;
  readonly write?: (text: string) => void;
}

export const progress = (
  label: string,
  total: number,
  mode: ProgressMode,
  options: ProgressOptions = {},
): Progress => {
  if (mode === "off" || total <= 0) return { update: () => undefined, stop: () => undefined };
  const started = Date.now();
  let done = 0;
  let extra: string | undefined;
  if (mode === "bar") {
    const bar = new cliProgress.SingleBar(
      {
        format: `${label} {bar} {value}/{total} ({percentage}%) | {speed}/s | ETA {eta_formatted}{extra}`,
        stream: process.stderr,
        hideCursor: true,
        clearOnComplete: false,
        fps: 10,
        etaBuffer: 50,
      },
      cliProgress.Presets.shades_classic,
    );
    const payload = () => ({
      speed: Math.round((done / Math.max(1, Date.now() - started)) * 1000),
      extra: extra ? ` | ${extra}` : "",
    });
    bar.start(total, 0, payload());
    return {
      update: (value, more) => {
        done = value;
        extra = more ?? extra;
        bar.update(Math.min(value, total), payload());
      },
      stop: () => bar.stop(),
    };
  }
  const write = options.write ?? ((text: string) => process.stderr.write(text));
  const line = (final: boolean) =>
    `${progressLine({ label, done, total, elapsedMs: Date.now() - started, extra, final })}\n`;
  const timer = setInterval(() => write(line(false)), options.intervalMs ?? 2_000);
  timer.unref();
  let stopped = false;
  return {
    update: (value, more) => {
      done = value;
      extra = more ?? extra;
    },
    stop: () => {
      if (stopped) return;
      stopped = true;
      clearInterval(timer);
      write(line(true));
    },
  };
};
