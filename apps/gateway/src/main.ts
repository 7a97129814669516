// The gateway process: Effect layers → Hono app on @hono/node-server; SIGTERM drains and exits.
import { serve } from "@hono/node-server";
import { isConnectionTermination } from "@ledgerline/ledger-db";
import { fatalLine, installProcessGuards } from "@ledgerline/resilience";
import { Cause } from "effect";
import { DEV_API_KEY, DEV_CLIENT_ID } from "./access/apiKeys.ts";
import { buildApp } from "./app.ts";
import { GatewayConfig } from "./Config.ts";
import { startGateway } from "./layers.ts";

// Tracing first (a no-op unless OTEL_EXPORTER_OTLP_ENDPOINT is set); its flush runs at exit. A Postgres
// restart can terminate a connection the pool had already released: harmless, so it is not a crash.
const exit = installProcessGuards({ service: "gateway", ignoreUncaught: isConnectionTermination });
const gateway = await startGateway(GatewayConfig.layer).catch((error: unknown) => {
  // Only configuration can fail here (no layer waits for Kafka, the registry or Postgres).
  console.error(fatalLine("gateway", Cause.die(error)));
  exit(1);
  return new Promise<never>(() => undefined);
});
const { settings } = gateway.services;
const app = buildApp(gateway.services);
const server = serve({ fetch: app.fetch, port: settings.port, hostname: settings.host }, (info) => {
  const base = `http://${settings.host}:${info.port}`;
  console.log(
    JSON.stringify({
      level: "INFO",
      service: "gateway",
      message: `listening on ${base} (docs ${base}/docs)`,
    }),
  );
  if (settings.developmentKey) {
    console.log(
      `gateway: LEDGERLINE_ENV=development: the development API key for client "${DEV_CLIENT_ID}" (scopes ingest, read, ops) is ${DEV_API_KEY}; pages (${base}/reports, ${base}/console) ask for it as the password`,
    );
    console.log(`  curl -H 'Authorization: Bearer ${DEV_API_KEY}' -H 'Content-Type: application/json' \\`);
    console.log(
      `    -d '{"account_id":"ACC-7890","amount":1250.75,"currency":"USD","merchant_name":"Chicago Retail Hub"}' ${base}/v1/transactions`,
    );
  }
});

server.on("error", (error: NodeJS.ErrnoException) => {
  const fix =
    error.code === "EADDRINUSE" ? ` Fix: stop what listens there or set GATEWAY_PORT to a free port.` : "";
  console.error(
    `gateway: fatal Misconfigured: cannot listen on ${settings.host}:${settings.port}: ${error.message}.${fix}`,
  );
  exit(1);
});

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(JSON.stringify({ level: "INFO", service: "gateway", message: `${signal}: draining` }));
  // Stop accepting connections; requests already inside finish, in-flight produces are flushed.
  server.close();
  const force = setTimeout(() => exit(1), 15_000);
  gateway.dispose().then(
    () => {
      clearTimeout(force);
      exit(0);
    },
    (error: unknown) => {
      console.error("gateway: shutdown failed", error);
      exit(1);
    },
  );
};
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));
