// A tiny HTTP server for `GET /metrics` (processor, ledger sink). Port 0 disables it; a port already in use
// is logged and skipped: metrics must never stop a stage from running.
import { createServer, type Server } from "node:http";
import { Effect } from "effect";
import { collectProcessMetrics, METRICS_CONTENT_TYPE, metricsText } from "./metrics.ts";

export interface MetricsServerOptions {
  readonly service: string;
  readonly host: string;
  readonly port: number;
}

const listen = (options: MetricsServerOptions): Promise<Server> =>
  new Promise((resolve, reject) => {
    const server = createServer((request, response) => {
      if (request.method !== "GET" || request.url?.split("?")[0] !== "/metrics") {
        response.writeHead(404, { "content-type": "text/plain" }).end("only GET /metrics here\n");
        return;
      }
      metricsText().then(
        (text) => response.writeHead(200, { "content-type": METRICS_CONTENT_TYPE }).end(text),
        (error: unknown) => response.writeHead(500, { "content-type": "text/plain" }).end(String(error)),
      );
    });
    server.once("error", reject);
    server.listen(options.port, options.host, () => resolve(server));
  });

/** Serves /metrics for the life of the scope. */
export const serveMetrics = (options: MetricsServerOptions) =>
  Effect.gen(function* () {
    if (options.port === 0) return;
    collectProcessMetrics(options.service);
    yield* Effect.acquireRelease(
      Effect.tryPromise({ try: () => listen(options), catch: (error) => error }),
      (server) => Effect.promise(() => new Promise<void>((done) => server.close(() => done()))),
    ).pipe(
      Effect.tap(() =>
        Effect.logInfo("metrics endpoint listening").pipe(
          Effect.annotateLogs({ url: `http://${options.host}:${options.port}/metrics` }),
        ),
      ),
      Effect.catch((error: unknown) =>
        Effect.logWarning("metrics endpoint not started").pipe(
          Effect.annotateLogs({ port: options.port, error: String(error) }),
        ),
      ),
    );
  });
