// Shared by the gateway benchmarks: wait for a spawned server to answer HTTP.
import type { ChildProcess } from "node:child_process";

export { freePort } from "@ledgerline/testkit";

/** Resolves once `url` answers; fails if `child` exits first or nothing answers within the timeout. */
export const waitForHttp = async (url: string, child?: ChildProcess, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child && child.exitCode !== null) throw new Error(`${url}: process exited with ${child.exitCode}`);
    try {
      await fetch(url);
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`${url} did not come up`);
};
