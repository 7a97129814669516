// CPU time per process tree, read from /proc: a process's own user+system time plus what its reaped
// children spent (cutime, cstime), plus every live descendant's. The difference of two readings is what
// the tree spent in between, even when children (Postgres backends) came and went.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

export interface ProcStat {
  readonly pid: number;
  readonly ppid: number;
  /** utime + stime + cutime + cstime, in clock ticks. */
  readonly ticks: number;
}

/** One /proc/<pid>/stat line. The command name may hold spaces and parentheses: fields follow the last ")". */
export const parseStat = (line: string): ProcStat => {
  const close = line.lastIndexOf(")");
  const pid = Number(line.slice(0, line.indexOf(" ")));
  // After ")": state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime
  const fields = line
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const at = (i: number) => Number(fields[i]);
  return { pid, ppid: at(1), ticks: at(11) + at(12) + at(13) + at(14) };
};

/** Ticks spent by `root` and its live descendants, from one reading of every process. */
export const treeTicks = (stats: readonly ProcStat[], root: number): number => {
  const children = new Map<number, ProcStat[]>();
  for (const stat of stats) children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), stat]);
  const self = stats.find((s) => s.pid === root);
  if (!self) return 0;
  let total = 0;
  const stack = [self];
  while (stack.length > 0) {
    const next = stack.pop() as ProcStat;
    total += next.ticks;
    stack.push(...(children.get(next.pid) ?? []));
  }
  return total;
};

export const readProcesses = (): ProcStat[] => {
  const stats: ProcStat[] = [];
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      stats.push(parseStat(readFileSync(`/proc/${entry}/stat`, "utf8")));
    } catch {
      // gone between the listing and the read
    }
  }
  return stats;
};

let ticksPerSecond: number | undefined;
const clockTicksPerSecond = (): number => {
  ticksPerSecond ??= Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim());
  return ticksPerSecond;
};

/** CPU seconds of each named group of process trees, at this instant. */
export const cpuSeconds = (groups: Readonly<Record<string, readonly number[]>>): Record<string, number> => {
  const stats = readProcesses();
  return Object.fromEntries(
    Object.entries(groups).map(([name, roots]) => [
      name,
      roots.reduce((sum, root) => sum + treeTicks(stats, root), 0) / clockTicksPerSecond(),
    ]),
  );
};

/** CPU seconds of this process's children that have exited and been waited for (k6, run one step at a time). */
export const reapedChildrenSeconds = (): number => {
  const line = readFileSync("/proc/self/stat", "utf8");
  // After ")": state is field 0, so cutime and cstime are 13 and 14.
  const fields = line
    .slice(line.lastIndexOf(")") + 2)
    .trim()
    .split(/\s+/);
  return (Number(fields[13]) + Number(fields[14])) / clockTicksPerSecond();
};
