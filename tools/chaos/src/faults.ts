// The nemesis's hands: carries out the schedule (nemesis.ts) on the run's private pipeline. Kills and
// infrastructure outages run one after another; pauses and network faults run alongside them, each undone
// after its duration. A pause ends with a look at what the woken instance (the zombie) tried (zombie.ts).
import { NetworkFault, type NetworkFaults } from "@ledgerline/testkit";
import { type Fault, faultName, type NetworkFaultKind } from "./nemesis.ts";
import type { InjectedFault } from "./report.ts";
import { type PauseReport, zombieReport } from "./zombie.ts";

/** What the nemesis needs of the pipeline (ScriptedPipeline in @ledgerline/testkit has it). */
export interface FaultTarget {
  killApp(instance: string): boolean;
  restarts(): Readonly<Record<string, number>>;
  pauseApp(instance: string): boolean;
  resumeApp(instance: string): boolean;
  appLogPath(instance: string): string;
  killBroker(node?: number): void;
  restartBroker(): Promise<void>;
  restartPostgres(): Promise<void>;
  stopRegistry(): Promise<void>;
  startRegistry(): Promise<void>;
  readonly network: NetworkFaults | undefined;
}

/** What each network fault kind does to its link: slow enough to time requests out now and then. */
const NETWORK_FAULTS: Readonly<Record<NetworkFaultKind, NetworkFault>> = {
  SlowNetwork: NetworkFault.Latency({ latencyMs: 400, jitterMs: 300 }),
  ThrottleNetwork: NetworkFault.Bandwidth({ kilobytesPerSecond: 32 }),
  DropConnections: NetworkFault.DropConnections(),
  Partition: NetworkFault.Partition(),
  SlowClose: NetworkFault.SlowClose({ delayMs: 5_000 }),
};

/** How long a pause waits for its instance to be running (it may just have been killed). */
const PAUSE_WAIT_MS = 20_000;

/** After SIGCONT, how long the woken instance's log is read for what it tried. */
const ZOMBIE_WATCH_MS = 30_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface NemesisRun {
  readonly injected: InjectedFault[];
  readonly pauses: PauseReport[];
  /** Resolves when every fault is over (undone: resumed, healed, restarted). */
  readonly done: Promise<void>;
  /** Resolves when every pause's zombie has been watched too (`pauses` is then complete). */
  readonly watched: Promise<void>;
}

export const runNemesis = (
  target: FaultTarget,
  schedule: readonly Fault[],
  clock: () => number,
  log: (line: string) => void,
): NemesisRun => {
  const injected: InjectedFault[] = [];
  const pauses: PauseReport[] = [];
  const alongside: Promise<void>[] = [];
  const watches: Promise<void>[] = [];
  const record = (fault: Fault, atMs: number, targetName: string, untilMs?: number) =>
    injected.push({
      kind: faultName(fault),
      target: targetName,
      atMs,
      ...(untilMs === undefined ? {} : { untilMs }),
    });

  const pause = async (fault: Extract<Fault, { _tag: "PauseApp" }>) => {
    // An instance just killed is paused once the supervisor has it running again.
    const deadline = clock() + PAUSE_WAIT_MS;
    while (!target.pauseApp(fault.target)) {
      if (clock() > deadline) {
        log(`SIGSTOP ${fault.target} (not running: skipped)`);
        return;
      }
      await sleep(250);
    }
    const atMs = clock();
    // What it wrote before the pause may still be on its way through the supervisor's pipe.
    await sleep(500);
    const logPath = target.appLogPath(fault.target);
    const from = zombieReport.logOffset(logPath);
    const restarts = target.restarts()[fault.target];
    log(`SIGSTOP ${fault.target} for ${(fault.pausedMs / 1000).toFixed(1)} s`);
    await sleep(fault.pausedMs);
    // A paused instance SIGKILLed meanwhile is gone: its restart is another process, not a zombie.
    const resumed = target.resumeApp(fault.target) && target.restarts()[fault.target] === restarts;
    const wokeMs = clock();
    record(fault, atMs, fault.target, wokeMs);
    log(`SIGCONT ${fault.target}${resumed ? "" : " (it was gone: killed while paused)"}`);
    watches.push(
      sleep(ZOMBIE_WATCH_MS).then(() => {
        pauses.push(zombieReport.read(logPath, from, { target: fault.target, atMs, wokeMs, resumed }));
      }),
    );
  };

  const network = async (fault: Extract<Fault, { _tag: "Network" }>) => {
    const faults = target.network;
    const link = faults?.links().find((l) => l.name === fault.link);
    if (!faults || !link) {
      log(`${fault.kind} ${fault.link} (no such link: skipped)`);
      return;
    }
    const atMs = clock();
    await faults.apply(link, NETWORK_FAULTS[fault.kind]);
    log(`${fault.kind} on ${fault.link} for ${(fault.durationMs / 1000).toFixed(1)} s`);
    await sleep(fault.durationMs);
    await faults.heal(link);
    record(fault, atMs, fault.link, clock());
    log(`${fault.kind} on ${fault.link} healed`);
  };

  const inject = async (fault: Fault) => {
    const atMs = clock();
    switch (fault._tag) {
      case "KillApp": {
        const done = target.killApp(fault.target);
        log(`SIGKILL ${fault.target}${done ? "" : " (not running: skipped)"}`);
        if (done) record(fault, atMs, fault.target);
        return;
      }
      case "PauseApp":
        alongside.push(pause(fault));
        return;
      case "Network":
        alongside.push(network(fault));
        return;
      case "KillBroker": {
        log(`SIGKILL Kafka broker node ${fault.node}`);
        target.killBroker(fault.node);
        await sleep(fault.downMs);
        await target.restartBroker();
        log(`Kafka broker node ${fault.node} started again (${((clock() - atMs) / 1000).toFixed(1)} s down)`);
        record(fault, atMs, `kafka-${fault.node}`, clock());
        return;
      }
      case "RestartPostgres": {
        log("pg_ctl restart -m immediate");
        await target.restartPostgres();
        record(fault, atMs, "postgres", clock());
        return;
      }
      case "StopRegistry": {
        log("stopping the schema registry");
        await target.stopRegistry();
        await sleep(fault.downMs);
        await target.startRegistry();
        log(`schema registry started again (${((clock() - atMs) / 1000).toFixed(1)} s down)`);
        record(fault, atMs, "registry", clock());
        return;
      }
    }
  };

  const done = (async () => {
    for (const fault of schedule) {
      const wait = fault.atMs - clock();
      if (wait > 0) await sleep(wait);
      await inject(fault);
    }
    await Promise.all(alongside);
    await target.network?.heal();
  })();
  const watched = done.then(() => Promise.all(watches)).then(() => undefined);
  return { injected, pauses, done, watched };
};
