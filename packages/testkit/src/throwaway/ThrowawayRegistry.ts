// A private Apicurio Registry started from the stack's cached runtime, for tests that must stop or
// restart the registry. The shared registry at 127.0.0.1:8081 is never touched. Storage is a
// file-backed H2 database in the temp dir (the build's default is an in-memory H2), so schemas and
// their ids survive stop()/start().
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
} from "node:fs";
import { homedir, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { freePort } from "../freePort.ts";

const REGISTRY_HOME =
  process.env.REGISTRY_HOME ??
  join(
    process.env.LEDGERLINE_CACHE ?? join(homedir(), ".cache/ledgerline"),
    `apicurio-registry-${process.env.REGISTRY_VERSION ?? "3.3.3"}`,
  );
const START_TIMEOUT_MS = 120_000;
const STOP_TIMEOUT_MS = 20_000;

const tail = (file: string, lines = 30): string => {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
};

// Major version (17, 21, 25...) of a java binary: its home's `release` file, else `java -version`.
const javaMajor = (bin: string): number | undefined => {
  let version: string | undefined;
  try {
    const release = readFileSync(join(dirname(dirname(realpathSync(bin))), "release"), "utf8");
    version = /^JAVA_VERSION="([^"]*)"/m.exec(release)?.[1];
  } catch {
    // no release file: ask the binary
  }
  if (!version) {
    try {
      const out = execFileSync(bin, ["-version"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
      version = / version "([^"]*)"/.exec(out)?.[1];
    } catch (error) {
      version = / version "([^"]*)"/.exec(String((error as { stderr?: unknown }).stderr ?? ""))?.[1];
    }
  }
  const major = Number(version?.replace(/^1\./, "").split(/[.+-]/)[0]);
  return Number.isInteger(major) ? major : undefined;
};

let cachedJava: string | undefined;

/** The JDK rules of ops/stack/lib.sh registry_java: REGISTRY_JAVA_HOME, JAVA_HOME if 21+, else the
 * newest JDK 21+ under /usr/lib/jvm. */
const registryJava = (): string => {
  if (cachedJava) return cachedJava;
  const configured = process.env.REGISTRY_JAVA_HOME;
  if (configured) {
    const bin = join(configured, "bin/java");
    const major = existsSync(bin) ? javaMajor(bin) : undefined;
    if (!major || major < 21)
      throw new Error(`REGISTRY_JAVA_HOME=${configured} is not a JDK 21+ (Apicurio needs Java 21+)`);
    cachedJava = bin;
    return bin;
  }
  const javaHome = process.env.JAVA_HOME;
  if (
    javaHome &&
    existsSync(join(javaHome, "bin/java")) &&
    (javaMajor(join(javaHome, "bin/java")) ?? 0) >= 21
  ) {
    cachedJava = join(javaHome, "bin/java");
    return cachedJava;
  }
  let best: { bin: string; major: number } | undefined;
  const jvmDir = "/usr/lib/jvm";
  for (const entry of existsSync(jvmDir) ? readdirSync(jvmDir) : []) {
    const bin = join(jvmDir, entry, "bin/java");
    if (!existsSync(bin)) continue;
    const major = javaMajor(bin);
    if (major && major >= 21 && major > (best?.major ?? 0)) best = { bin, major };
  }
  if (!best)
    throw new Error(
      "Apicurio needs Java 21+: install a JDK 21+ under /usr/lib/jvm or set REGISTRY_JAVA_HOME",
    );
  cachedJava = best.bin;
  return best.bin;
};

export class ThrowawayRegistry {
  /** Temp dir: `h2/` (the storage), `registry.log`, `registry.out` (JVM-level output). */
  readonly dir: string;
  readonly port: number;
  readonly #managementPort: number;
  #process: ChildProcess | undefined;

  private constructor(dir: string, port: number, managementPort: number) {
    this.dir = dir;
    this.port = port;
    this.#managementPort = managementPort;
  }

  /** The Confluent-compatible API. */
  get url(): string {
    return `http://127.0.0.1:${this.port}/apis/ccompat/v7`;
  }

  get #log(): string {
    return join(this.dir, "registry.log");
  }

  static async create(): Promise<ThrowawayRegistry> {
    const quarkusRun = join(REGISTRY_HOME, "quarkus-run.jar");
    if (!existsSync(quarkusRun))
      throw new Error(`no Apicurio runtime at ${REGISTRY_HOME}: run ops/stack/up.sh (it downloads it)`);
    const dir = mkdtempSync(join(tmpdir(), "ledgerline-registry-"));
    const registry = new ThrowawayRegistry(dir, await freePort(), await freePort());
    try {
      await registry.start();
      return registry;
    } catch (error) {
      await registry.destroy().catch(() => undefined);
      throw error;
    }
  }

  /** Starts the JVM on the same data dir; resolves once GET <url>/subjects answers 200. */
  async start(timeoutMs = START_TIMEOUT_MS): Promise<void> {
    if (this.#process && this.#process.exitCode === null && this.#process.signalCode === null) return;
    const out = openSync(join(this.dir, "registry.out"), "a");
    let child: ChildProcess;
    try {
      child = spawn(
        registryJava(),
        [
          "-Xms64m",
          "-Xmx256m",
          "-XX:+UseSerialGC",
          // C1 only: a much faster boot on 2 cores, plenty for test traffic.
          "-XX:TieredStopAtLevel=1",
          `-Dledgerline.throwaway=${this.dir}`,
          "-Dquarkus.http.host=127.0.0.1",
          `-Dquarkus.http.port=${this.port}`,
          "-Dquarkus.management.host=127.0.0.1",
          `-Dquarkus.management.port=${this.#managementPort}`,
          "-Dapicurio.storage.kind=sql",
          "-Dapicurio.storage.sql.kind=h2",
          `-Dapicurio.datasource.url=jdbc:h2:file:${join(this.dir, "h2", "registry")}`,
          "-Dapicurio.datasource.jdbc.initial-size=2",
          "-Dapicurio.datasource.jdbc.min-size=2",
          "-Dapicurio.datasource.jdbc.max-size=10",
          "-Dapicurio.rules.global.compatibility=BACKWARD",
          // Defaults point at /tmp; keep everything inside the temp dir.
          `-Dapicurio.storage.snapshot.location=${this.dir}`,
          `-Dapicurio.import.work-dir=${this.dir}`,
          "-Dquarkus.log.console.enabled=false",
          "-Dquarkus.log.file.enabled=true",
          `-Dquarkus.log.file.path=${this.#log}`,
          "-Dquarkus.log.file.json.enabled=false",
          "-Dquarkus.http.record-request-start-time=true",
          "-jar",
          join(REGISTRY_HOME, "quarkus-run.jar"),
        ],
        // cwd: Quarkus reads ./config/application.properties and ./.env, and the transaction
        // manager keeps its ObjectStore there.
        { cwd: this.dir, stdio: ["ignore", out, out] },
      );
    } finally {
      closeSync(out);
    }
    this.#process = child;
    let spawnError: Error | undefined;
    const exited = new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.once("error", (error) => {
        spawnError = error;
        resolve();
      });
    });
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (spawnError) throw new Error(`throwaway registry: cannot run java: ${spawnError.message}`);
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `throwaway registry exited during startup (${child.exitCode ?? child.signalCode}); ` +
            `last lines of ${this.#log}:\n${tail(this.#log)}\n${tail(join(this.dir, "registry.out"), 10)}`,
        );
      }
      try {
        const response = await fetch(`${this.url}/subjects`, { signal: AbortSignal.timeout(2_000) });
        await response.body?.cancel();
        if (response.status === 200) return;
      } catch {
        // not listening yet
      }
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 250))]);
    }
    child.kill("SIGKILL");
    await exited;
    throw new Error(
      `throwaway registry not answering ${this.url}/subjects after ${timeoutMs} ms; ` +
        `last lines of ${this.#log}:\n${tail(this.#log)}`,
    );
  }

  /** SIGTERM (a clean Quarkus shutdown, H2 closed); SIGKILL if still running after 20 s. */
  async stop(): Promise<void> {
    const child = this.#process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    const timer = setTimeout(() => child.kill("SIGKILL"), STOP_TIMEOUT_MS);
    try {
      await exited;
    } finally {
      clearTimeout(timer);
    }
  }

  async destroy(): Promise<void> {
    try {
      await this.stop();
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
