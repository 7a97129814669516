// The gateway's HTTP server as a scoped resource: it serves once acquired. Released (SIGTERM, SIGINT),
// it stops accepting — requests already inside finish — then disposes the services (in-flight produces
// are flushed, the producer and the pool close) within 15 s.
import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import { StageFault } from "@ledgerline/resilience";
import { Deferred, Effect } from "effect";
import { DEV_API_KEY, DEV_CLIENT_ID } from "./access/apiKeys.ts";
import { buildApp } from "./app.ts";
import { GatewayConfig } from "./Config.ts";
import { gatewayServices } from "./layers.ts";
import type { GatewaySettings } from "./settings.ts";

const DRAIN_BOUND = "15 seconds";

const listenFault = (settings: GatewaySettings, error: NodeJS.ErrnoException) =>
  new StageFault({
    reason: "Misconfigured",
    message: `cannot listen on ${settings.host}:${settings.port}: ${error.message}`,
    ...(error.code === "EADDRINUSE"
      ? { fix: "stop what listens there or set GATEWAY_PORT to a free port" }
      : {}),
    cause: error,
  });

export const serveGateway = Effect.gen(function* () {
  // Configuration can fail here; waiting for Postgres (the pool's first connection) can be interrupted.
  const services = yield* gatewayServices(GatewayConfig.layer, DRAIN_BOUND);
  const { settings } = services;
  const app = buildApp(services);
  // A server error after it listens ends the process like one before.
  const failed = yield* Deferred.make<never, StageFault>();
  const { port } = yield* Effect.acquireRelease(
    Effect.callback<{ readonly server: ServerType; readonly port: number }, StageFault>((resume) => {
      let listening = false;
      const server = serve({ fetch: app.fetch, port: settings.port, hostname: settings.host }, (info) => {
        listening = true;
        resume(Effect.succeed({ server, port: (info as AddressInfo).port }));
      });
      server.on("error", (error: NodeJS.ErrnoException) => {
        const fault = listenFault(settings, error);
        if (listening) Deferred.doneUnsafe(failed, Effect.fail(fault));
        else resume(Effect.fail(fault));
      });
      // Interrupted before it listens.
      return Effect.sync(() => server.close());
    }),
    // Stop accepting; requests already inside finish (the services are disposed after this).
    ({ server }) => Effect.logInfo("draining").pipe(Effect.andThen(Effect.sync(() => server.close()))),
  );
  const base = `http://${settings.host}:${port}`;
  yield* Effect.logInfo(`listening on ${base} (docs ${base}/docs)`);
  if (settings.developmentKey)
    yield* Effect.logInfo(
      `LEDGERLINE_ENV=development: the development API key for client "${DEV_CLIENT_ID}" (scopes ingest, read, ops) is ${DEV_API_KEY}; pages (${base}/reports, ${base}/console) ask for it as the password`,
    ).pipe(
      Effect.annotateLogs({
        try: `curl -H 'Authorization: Bearer ${DEV_API_KEY}' -H 'Content-Type: application/json' -d '{"account_id":"ACC-7890","amount":1250.75,"currency":"USD","merchant_name":"Chicago Retail Hub"}' ${base}/v1/transactions`,
      }),
    );
  return yield* Deferred.await(failed);
});
