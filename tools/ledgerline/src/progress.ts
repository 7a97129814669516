// Progress bars on a terminal, silent when output is piped or --json is asked for.
import cliProgress from "cli-progress";

export interface Progress {
  update(value: number, payload?: Record<string, unknown>): void;
  stop(): void;
}

export const progressBar = (
  total: number,
  format: string,
  enabled = process.stderr.isTTY === true,
  initialPayload: Record<string, unknown> = {},
): Progress => {
  if (!enabled) return { update: () => undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    { format, stream: process.stderr, hideCursor: true, clearOnComplete: false, fps: 10 },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, initialPayload);
  return { update: (value, payload) => bar.update(value, payload), stop: () => bar.stop() };
};
