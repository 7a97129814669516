// The gateway process: Effect layers → Hono app on @hono/node-server; SIGTERM drains and exits.
import { serve } from "@hono/node-server";
import { startTracing } from "@ledgerline/observability";
import { buildApp } from "./app.ts";
import { GatewayConfig } from "./Config.ts";
import { startGateway } from "./layers.ts";
import { DEFAULT_API_KEYS, DEV_API_KEY, DEV_CLIENT_ID } from "./settings.ts";

// Tracing first (a no-op unless OTEL_EXPORTER_OTLP_ENDPOINT is set); its flush runs at shutdown.
const stopTracing = startTracing("gateway");
const gateway = await startGateway(GatewayConfig.layer);
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
  if ((process.env.GATEWAY_API_KEYS ?? DEFAULT_API_KEYS) === DEFAULT_API_KEYS) {
    console.log(`gateway: development API key for client "${DEV_CLIENT_ID}": ${DEV_API_KEY}`);
    console.log(`  curl -H 'Authorization: Bearer ${DEV_API_KEY}' -H 'Content-Type: application/json' \\`);
    console.log(
      `    -d '{"account_id":"ACC-7890","amount":1250.75,"currency":"USD","merchant_name":"Chicago Retail Hub"}' ${base}/v1/transactions`,
    );
  }
});

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(JSON.stringify({ level: "INFO", service: "gateway", message: `${signal}: draining` }));
  // Stop accepting connections; requests already inside finish, in-flight produces are flushed.
  server.close();
  const force = setTimeout(() => process.exit(1), 15_000);
  gateway
    .dispose()
    .then(stopTracing)
    .then(
      () => {
        clearTimeout(force);
        process.exit(0);
      },
      (error: unknown) => {
        console.error("gateway: shutdown failed", error);
        process.exit(1);
      },
    );
};
process.on("SIGTERM", () => shutdown("SIGTERM"));
process.on("SIGINT", () => shutdown("SIGINT"));
