// Runs one of the repository's Node entry points (an app, the CLI) as a child process to its end, the way
// an operator would: its exit code and what it printed. Killed after `timeoutMs`, so a hang fails the test.
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { REPO_ROOT } from "./repoRoot.ts";

export interface ScriptRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** stdout and stderr as they arrived. */
  readonly output: string;
}

export const runScript = (
  /** Path from the repository root, e.g. "tools/ledgerline/src/main.ts". */
  script: string,
  args: readonly string[] = [],
  options: { readonly env?: Record<string, string | undefined>; readonly timeoutMs?: number } = {},
): Promise<ScriptRun> =>
  new Promise((done, reject) => {
    const child = spawn(process.execPath, [resolve(REPO_ROOT, script), ...args], {
      cwd: REPO_ROOT,
      env: (options.env ?? process.env) as NodeJS.ProcessEnv,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString("utf8");
      output += chunk.toString("utf8");
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString("utf8");
      output += chunk.toString("utf8");
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 90_000);
    child.once("error", reject);
    child.once("exit", (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr, output });
    });
  });
