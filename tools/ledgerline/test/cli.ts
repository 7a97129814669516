// Runs the ledgerline CLI as a child process, the way an operator would.
import { runScript, type ScriptRun } from "@ledgerline/testkit";

export type CliRun = ScriptRun;

export const runCli = (
  args: readonly string[],
  env: Record<string, string | undefined> = process.env,
  timeoutMs = 90_000,
): Promise<CliRun> => runScript("tools/ledgerline/src/main.ts", args, { env, timeoutMs });
