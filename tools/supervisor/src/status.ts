// `npm run status` (apps part): each supervised app's pid, restarts and last exit from the supervisor's
// status file, then the gateway's GET /status (each stage's state and consumer lag). Exit 3 if not ready.
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Effect, Redacted } from "effect";
import { supervisorSettings } from "./Config.ts";
import { readStatus } from "./Supervisor.ts";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");
const settings = await Effect.runPromise(supervisorSettings(repoRoot));
const supervisor = readStatus(settings.stateDir);
let ready = true;
if (!supervisor) {
  console.log("supervisor not running (npm start runs it)");
  process.exit(3);
}
for (const app of supervisor.apps) {
  const exit = app.lastExit
    ? `, last exit ${app.lastExit.signal ?? `code ${app.lastExit.code}`} at ${app.lastExit.at}`
    : "";
  console.log(
    `${(app.instance ?? app.app).padEnd(14)} ${app.state.padEnd(10)} pid ${String(app.pid ?? "-").padEnd(8)} restarts ${app.restarts}${exit}`,
  );
}
const gateway = settings.instances.find((i) => i.app === "gateway");
const statusUrl = (gateway?.readyUrl ?? "http://127.0.0.1:8000/ready").replace(/\/ready$/, "/status");
try {
  // GET /status needs a key with the ops scope (LEDGERLINE_API_KEY, the ops tools' key).
  const response = await fetch(statusUrl, {
    headers: { Authorization: `Bearer ${Redacted.value(settings.apiKey)}` },
    signal: AbortSignal.timeout(3_000),
  });
  if (response.status === 401 || response.status === 403)
    throw new Error(`HTTP ${response.status}: set LEDGERLINE_API_KEY to a key with the ops scope`);
  const body = (await response.json()) as {
    status: string;
    stages: { stage: string; state: string; detail?: string; lag: { total: number } | null }[];
  };
  console.log(`\npipeline: ${body.status} (${statusUrl})`);
  for (const stage of body.stages) {
    const lag = stage.lag ? `lag ${stage.lag.total}` : "";
    console.log(
      `  ${stage.stage.padEnd(12)} ${stage.state.padEnd(10)} ${lag}${stage.detail ? `  ${stage.detail}` : ""}`,
    );
  }
  ready = body.status === "flowing";
} catch (error) {
  console.log(`\npipeline: gateway not answering at ${statusUrl} (${(error as Error).message})`);
  ready = false;
}
process.exit(ready ? 0 : 3);
