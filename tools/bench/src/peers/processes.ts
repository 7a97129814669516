// The peer benchmarks' moving parts: a stage under test in a process of its own, the benchmark's reader of
// output topics, and waiting for a condition.
import { type ChildProcess, spawn } from "node:child_process";
import { createReadCommittedConsumer, type KafkaConnection, type RecordConsumer } from "@ledgerline/kafka";
import { REPO_ROOT } from "@ledgerline/testkit";
import { transactionIdOf } from "./stats.ts";

export interface StageProcess {
  /** SIGTERM, then waits for the exit (SIGKILL after 20 s). */
  stop(): Promise<void>;
  /** Throws with the process's last output if it exited before stop(). */
  check(): void;
  /** The last 8 kB it printed. */
  output(): string;
}

/** Starts `command` from the repository root; its output is kept for errors only. */
export const startProcess = (
  name: string,
  command: string,
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
): StageProcess => {
  const child: ChildProcess = spawn(command, [...argv], {
    cwd: REPO_ROOT,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8_000);
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  let exited: number | null | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      exited = code ?? (signal ? -1 : null);
      resolve();
    }),
  );
  let stopping = false;
  return {
    output: () => output,
    check: () => {
      if (exited !== undefined && !stopping) throw new Error(`${name} exited (${exited}):\n${output}`);
    },
    stop: async () => {
      stopping = true;
      if (exited !== undefined) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 20_000);
      await exit;
      clearTimeout(timer);
    },
  };
};

/** Runs `command` from the repository root to its end; fails with its output unless it exits 0. */
export const runToEnd = (command: string, argv: readonly string[], env: NodeJS.ProcessEnv): Promise<string> =>
  new Promise((resolve, reject) => {
    const child = spawn(command, [...argv], { cwd: REPO_ROOT, env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("error", reject);
    child.once("exit", (code) =>
      code === 0
        ? resolve(output)
        : reject(new Error(`${argv.join(" ")} exited ${code}:\n${output.slice(-3_000)}`)),
    );
  });

export interface OutputRecord {
  readonly id: string;
  readonly topic: string;
  /** When this reader received it, ms: a read_committed reader sees a record once its transaction committed. */
  readonly seenAt: number;
}

/** Reads `topics` read_committed from the beginning, keeping each record's transaction id and time. */
export class OutputReader {
  readonly records: OutputRecord[] = [];
  private readonly consumer: RecordConsumer;
  private readonly topics: readonly string[];
  private close: (() => Promise<void>) | undefined;
  private failure: unknown;

  constructor(connection: KafkaConnection, groupId: string, topics: readonly string[]) {
    this.consumer = createReadCommittedConsumer(connection, groupId);
    this.topics = topics;
  }

  async start(): Promise<void> {
    const stream = await this.consumer.consume({
      topics: [...this.topics],
      mode: "earliest",
      autocommit: false,
    });
    stream.on("data", (message) => {
      this.records.push({
        id: transactionIdOf(message.value),
        topic: message.topic,
        seenAt: Date.now(),
      });
    });
    stream.on("error", (error: unknown) => {
      this.failure = error;
    });
    this.close = () => stream.close();
  }

  check(): void {
    if (this.failure) throw this.failure;
  }

  async stop(): Promise<void> {
    await this.close?.().catch(() => undefined);
    await this.consumer.close(true).catch(() => undefined);
  }
}

/** Polls `condition` every 50 ms; `check` may throw (a process died); fails after `limitMs`. */
export const waitFor = async (
  what: string | (() => string),
  condition: () => boolean | Promise<boolean>,
  limitMs: number,
  check: () => void = () => undefined,
): Promise<void> => {
  const deadline = Date.now() + limitMs;
  for (;;) {
    check();
    if (await condition()) return;
    if (Date.now() > deadline)
      throw new Error(
        `timed out after ${limitMs / 1_000} s waiting for ${typeof what === "string" ? what : what()}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
};
