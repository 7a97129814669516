// The ops endpoint of a stage without an HTTP API of its own (processor, ledger sink, relay):
// GET /metrics (Prometheus), GET /livez (the process answers), GET /health (alive, each component's state)
// and GET /ready (every component ready).
// Port 0 disables it; a port already in use is logged and tried again in the background: it must never
// stop a stage running.
import { createServer, type Server, type ServerResponse } from "node:http";
import { Effect, Schedule } from "effect";
import { readinessReport } from "./health.ts";
import { collectProcessMetrics, METRICS_CONTENT_TYPE, metricsSnapshot, metricsText } from "./metrics.ts";

export interface OpsServerOptions {
  readonly service: string;
  readonly host: string;
  readonly port: number;
}

const json = (response: ServerResponse, status: number, body: unknown) =>
  response.writeHead(status, { "content-type": "application/json" }).end(`${JSON.stringify(body)}\n`);

const listen = (options: OpsServerOptions): Promise<Server> =>
  new Promise((resolve, reject) => {
    const server = createServer((request, response) => {
      const path = request.url?.split("?")[0];
      if (request.method !== "GET") {
        response.writeHead(405, { "content-type": "text/plain", allow: "GET" }).end("GET only\n");
        return;
      }
      switch (path) {
        case "/metrics":
          metricsText().then(
            (text) => response.writeHead(200, { "content-type": METRICS_CONTENT_TYPE }).end(text),
            (error: unknown) => response.writeHead(500, { "content-type": "text/plain" }).end(String(error)),
          );
          return;
        case "/metrics.json":
          metricsSnapshot().then(
            (snapshot) => json(response, 200, snapshot),
            (error: unknown) => response.writeHead(500, { "content-type": "text/plain" }).end(String(error)),
          );
          return;
        case "/livez":
          // Liveness, the path the gateway uses too: the event loop answers; nothing else is looked at.
          json(response, 200, { status: "ok" });
          return;
        case "/health": {
          // Alive: the event loop answers. What each component is doing is in the body, not the status.
          const report = readinessReport();
          json(response, 200, { alive: true, ...report });
          return;
        }
        case "/ready": {
          const report = readinessReport();
          json(response, report.status === "ready" ? 200 : 503, report);
          return;
        }
        default:
          response
            .writeHead(404, { "content-type": "text/plain" })
            .end("GET /metrics, /metrics.json, /livez, /health or /ready\n");
      }
    });
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve(server));
  });

/** How often a stage tries its ops port again while something else holds it. */
const REBIND_EVERY = "2 seconds";

/**
 * Serves /metrics, /health and /ready for the life of the scope. A port already in use (often a client
 * connection's ephemeral port) is logged once and tried again in the background until it is free: the
 * stage runs meanwhile, and its supervisor sees it ready as soon as the port is bound.
 */
export const serveOpsEndpoints = (options: OpsServerOptions) =>
  Effect.gen(function* () {
    if (options.port === 0) return;
    collectProcessMetrics(options.service);
    const bind = Effect.acquireRelease(
      Effect.tryPromise({ try: () => listen(options), catch: (error) => error }),
      (server) =>
        Effect.promise(
          () =>
            new Promise<void>((done) => {
              server.close(() => done());
              server.closeAllConnections();
            }),
        ),
    ).pipe(
      Effect.tap(() =>
        Effect.logInfo("ops endpoint listening").pipe(
          Effect.annotateLogs({
            url: `http://${options.host}:${options.port}`,
            paths: "/metrics /livez /health /ready",
          }),
        ),
      ),
    );
    yield* bind.pipe(
      Effect.catch((error: unknown) =>
        Effect.logWarning("ops endpoint not started; trying again while the port is taken").pipe(
          Effect.annotateLogs({ port: options.port, error: String(error) }),
          Effect.andThen(
            Effect.forkScoped(
              bind.pipe(Effect.retry(Schedule.spaced(REBIND_EVERY)), Effect.delay(REBIND_EVERY)),
            ),
          ),
        ),
      ),
    );
  });
