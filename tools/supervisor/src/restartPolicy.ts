// When a supervised app exits, how long to wait before starting it again: exponential from `baseMs`,
// capped at `maxMs`, while it keeps exiting within `stableAfterMs` of its start (a crash loop: a bad
// setting); a run that lasted longer (it was killed, or met a fatal fault later) starts the count again. It never gives up: the
// stages retry their own faults, so an app that exits is either misconfigured (the log says how to fix
// it, and the restart picks up the fix) or was killed. Pure, unit-tested.

export interface RestartSettings {
  readonly baseMs: number;
  readonly maxMs: number;
  readonly stableAfterMs: number;
}

export interface Restart {
  readonly delayMs: number;
  /** Exits in a row that came before `stableAfterMs`. */
  readonly crashLoop: number;
}

export const decideRestart = (
  settings: RestartSettings,
  exit: { readonly ranForMs: number; readonly crashLoop: number },
): Restart => {
  const crashLoop = exit.ranForMs >= settings.stableAfterMs ? 1 : exit.crashLoop + 1;
  const delayMs = Math.min(settings.maxMs, settings.baseMs * 2 ** (crashLoop - 1));
  return { delayMs, crashLoop };
};
