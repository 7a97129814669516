// `npm start`'s last step: waits until every supervised app answers ready, or fails after the bound
// naming the app that is not ready, its state, and its last log lines. Exit 0 ready, 1 not ready.
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Effect } from "effect";
import { type AppName, supervisorSettings } from "./Config.ts";
import { readStatus } from "./Supervisor.ts";

const { values } = parseArgs({ options: { timeout: { type: "string", default: "120" } } });
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const settings = await Effect.runPromise(supervisorSettings(repoRoot));
const deadline = Date.now() + Number(values.timeout) * 1_000;

const probe = async (app: AppName): Promise<{ ready: boolean; detail: string }> => {
  try {
    const response = await fetch(settings.readyUrls[app], { signal: AbortSignal.timeout(2_000) });
    const body = await response.text();
    return { ready: response.ok, detail: body.trim().slice(0, 600) };
  } catch (error) {
    return { ready: false, detail: `no answer at ${settings.readyUrls[app]} (${(error as Error).message})` };
  }
};

const lastLines = (app: AppName, n = 20): string => {
  try {
    return readFileSync(join(settings.stateDir, "logs", `${app}.log`), "utf8")
      .trimEnd()
      .split("\n")
      .slice(-n)
      .join("\n");
  } catch {
    return "(no log yet)";
  }
};

const pending = new Set<AppName>(settings.apps);
let last = new Map<AppName, string>();
while (pending.size > 0) {
  const results = await Promise.all([...pending].map(async (app) => [app, await probe(app)] as const));
  last = new Map();
  for (const [app, result] of results) {
    if (result.ready) {
      pending.delete(app);
      const pid = readStatus(settings.stateDir)?.apps.find((a) => a.app === app)?.pid;
      console.log(`✓ ${app} ready${pid ? ` (pid ${pid})` : ""}`);
    } else last.set(app, result.detail);
  }
  if (pending.size === 0) break;
  if (Date.now() > deadline) {
    for (const app of pending) {
      const status = readStatus(settings.stateDir)?.apps.find((a) => a.app === app);
      console.error(
        `error: ${app} not ready after ${values.timeout} s (restarts: ${status?.restarts ?? "?"})`,
      );
      console.error(`  /ready: ${last.get(app)}`);
      console.error(`  last lines of ${join(settings.stateDir, "logs", `${app}.log`)}:`);
      console.error(lastLines(app).replace(/^/gm, "    "));
    }
    console.error("The supervisor keeps retrying in the background; `npm run stop` stops everything.");
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 500));
}
