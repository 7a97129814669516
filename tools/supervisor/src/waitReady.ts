// `npm start`'s last step: waits until every supervised instance answers ready, or fails after the bound
// naming the instance that is not ready, its state, and its last log lines. Exit 0 ready, 1 not ready.
import { readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Effect, Redacted } from "effect";
import { type AppInstance, supervisorSettings } from "./Config.ts";
import { readStatus } from "./Supervisor.ts";

const { values } = parseArgs({ options: { timeout: { type: "string", default: "120" } } });
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const settings = await Effect.runPromise(supervisorSettings(repoRoot));
const deadline = Date.now() + Number(values.timeout) * 1_000;

const probe = async (instance: AppInstance): Promise<{ ready: boolean; detail: string }> => {
  try {
    const response = await fetch(instance.readyUrl, {
      headers: { Authorization: `Bearer ${Redacted.value(settings.apiKey)}` },
      signal: AbortSignal.timeout(2_000),
    });
    const body = await response.text();
    return { ready: response.ok, detail: body.trim().slice(0, 600) };
  } catch (error) {
    return { ready: false, detail: `no answer at ${instance.readyUrl} (${(error as Error).message})` };
  }
};

const logOf = (instance: AppInstance) => join(settings.stateDir, "logs", `${instance.instance}.log`);
const lastLines = (instance: AppInstance, n = 20): string => {
  try {
    return readFileSync(logOf(instance), "utf8").trimEnd().split("\n").slice(-n).join("\n");
  } catch {
    return "(no log yet)";
  }
};

const pending = new Set<AppInstance>(settings.instances);
const last = new Map<AppInstance, string>();
while (pending.size > 0) {
  const results = await Promise.all(
    [...pending].map(async (instance) => [instance, await probe(instance)] as const),
  );
  for (const [instance, result] of results) {
    if (result.ready) {
      pending.delete(instance);
      const pid = readStatus(settings.stateDir)?.apps.find((a) => a.instance === instance.instance)?.pid;
      console.log(`✓ ${instance.instance} ready${pid ? ` (pid ${pid})` : ""}`);
    } else last.set(instance, result.detail);
  }
  if (pending.size === 0) break;
  if (Date.now() > deadline) {
    for (const instance of pending) {
      const status = readStatus(settings.stateDir)?.apps.find((a) => a.instance === instance.instance);
      console.error(
        `error: ${instance.instance} not ready after ${values.timeout} s (restarts: ${status?.restarts ?? "?"})`,
      );
      console.error(`  /ready: ${last.get(instance)}`);
      console.error(`  last lines of ${logOf(instance)}:`);
      console.error(lastLines(instance).replace(/^/gm, "    "));
    }
    console.error("The supervisor keeps retrying in the background; `npm run stop` stops everything.");
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 500));
}
