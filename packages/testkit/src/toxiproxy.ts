// A Toxiproxy server of the pipeline's own, with the proxies of a network plan (networkFaults.ts), driven
// through its HTTP API (fields per toxiproxy v2.12.0's api.go and toxics/*.go). The binary is built into
// the stack's cache by ops/stack/toxiproxy.sh when missing.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { NetworkFault, NetworkFaults, NetworkLink, NetworkPlan } from "./networkFaults.ts";
import { toxicsOf } from "./networkFaults.ts";
import { REPO_ROOT } from "./repoRoot.ts";

/** toxiproxy-server's path, built first if needed (`go install`, seconds with a warm module cache). */
export const ensureToxiproxy = async (env: Readonly<Record<string, string>>): Promise<string> => {
  const { stdout } = await promisify(execFile)("bash", [join(REPO_ROOT, "ops/stack/toxiproxy.sh")], {
    cwd: REPO_ROOT,
    env,
    timeout: 600_000,
  }).catch((error: { stderr?: string; message: string }) => {
    throw new Error(`ops/stack/toxiproxy.sh failed: ${error.stderr?.trim() || error.message}`);
  });
  return stdout.trim();
};

export class Toxiproxy implements NetworkFaults {
  readonly #process: ChildProcess;
  readonly #api: string;
  readonly #proxies: ReadonlyMap<NetworkLink, string>;

  private constructor(process: ChildProcess, api: string, plan: NetworkPlan) {
    this.#process = process;
    this.#api = api;
    this.#proxies = new Map(plan.proxies.map((p) => [p.link, p.proxy.name]));
  }

  /** Starts the server (its output in `logFile`) and creates every proxy of the plan. */
  static async start(binary: string, plan: NetworkPlan, logFile: string): Promise<Toxiproxy> {
    const log = openSync(logFile, "a");
    const child = spawn(binary, ["-host", "127.0.0.1", "-port", String(plan.apiPort)], {
      env: { ...process.env, LOG_LEVEL: "info" },
      stdio: ["ignore", log, log],
    });
    closeSync(log);
    const toxiproxy = new Toxiproxy(child, `http://127.0.0.1:${plan.apiPort}`, plan);
    try {
      const deadline = Date.now() + 15_000;
      while (!(await toxiproxy.#answers())) {
        if (child.exitCode !== null)
          throw new Error(`toxiproxy-server exited ${child.exitCode} (log: ${logFile})`);
        if (Date.now() > deadline)
          throw new Error(`toxiproxy-server not answering after 15 s (log: ${logFile})`);
        await new Promise((r) => setTimeout(r, 100));
      }
      await toxiproxy.#call(
        "POST",
        "/populate",
        plan.proxies.map((p) => ({ ...p.proxy, enabled: true })),
      );
    } catch (error) {
      await toxiproxy.stop();
      throw error;
    }
    return toxiproxy;
  }

  links(): readonly NetworkLink[] {
    return [...this.#proxies.keys()];
  }

  async apply(link: NetworkLink, fault: NetworkFault): Promise<void> {
    const proxy = this.#proxy(link);
    for (const toxic of toxicsOf(fault)) {
      // A fault of the same kind already there is replaced (Toxiproxy refuses a second toxic of a name).
      await this.#call("DELETE", `/proxies/${proxy}/toxics/${toxic.name}`, undefined, [404]);
      await this.#call("POST", `/proxies/${proxy}/toxics`, toxic);
    }
  }

  async heal(link?: NetworkLink): Promise<void> {
    if (link === undefined) {
      await this.#call("POST", "/reset"); // every proxy enabled, every toxic removed
      return;
    }
    const proxy = this.#proxy(link);
    const toxics = (await this.#call("GET", `/proxies/${proxy}/toxics`)) as { name: string }[];
    for (const toxic of toxics)
      await this.#call("DELETE", `/proxies/${proxy}/toxics/${toxic.name}`, undefined, [404]);
    await this.#call("PATCH", `/proxies/${proxy}`, { enabled: true });
  }

  /** SIGTERM (connections close), SIGKILL after 5 s. */
  async stop(): Promise<void> {
    const child = this.#process;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((done) => child.once("exit", () => done()));
    child.kill("SIGTERM");
    const force = setTimeout(() => child.kill("SIGKILL"), 5_000);
    await exited;
    clearTimeout(force);
  }

  #proxy(link: NetworkLink): string {
    const proxy = this.#proxies.get(link) ?? [...this.#proxies].find(([l]) => l.name === link.name)?.[1];
    if (proxy === undefined) throw new Error(`no network link ${link.name}`);
    return proxy;
  }

  async #answers(): Promise<boolean> {
    try {
      const response = await fetch(`${this.#api}/version`, { signal: AbortSignal.timeout(1_000) });
      await response.body?.cancel();
      return response.ok;
    } catch {
      return false;
    }
  }

  async #call(
    method: string,
    path: string,
    body?: unknown,
    tolerated: readonly number[] = [],
  ): Promise<unknown> {
    const response = await fetch(`${this.#api}${path}`, {
      method,
      signal: AbortSignal.timeout(10_000),
      ...(body === undefined
        ? {}
        : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
    });
    const text = await response.text();
    if (!response.ok && !tolerated.includes(response.status))
      throw new Error(`toxiproxy ${method} ${path}: ${response.status} ${text.trim()}`);
    return response.ok && text.length > 0 ? JSON.parse(text) : undefined;
  }
}
