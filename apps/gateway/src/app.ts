// Builds the Hono app from one file per resource, with the one onError mapping errors to problem+json.
import { OpenAPIHono } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import { authenticator } from "./auth.ts";
import { problemResponse, RequestRejected, toProblem } from "./errors.ts";
import { accountRoutes } from "./routes/accounts.ts";
import { assetRoutes } from "./routes/assets.ts";
import { consoleRoutes } from "./routes/console.ts";
import { docsRoutes } from "./routes/docs.ts";
import { healthRoutes } from "./routes/health.ts";
import { metricsRoutes } from "./routes/metrics.ts";
import { reportRoutes } from "./routes/reports.ts";
import { transactionRoutes } from "./routes/transactions.ts";
import type { GatewayServices } from "./services/index.ts";
import { traceRequests } from "./tracing.ts";

export const buildApp = (services: GatewayServices): OpenAPIHono => {
  const app = new OpenAPIHono();
  const retryAfter = services.settings.retryAfterSeconds;
  const access = authenticator(services.settings.apiKeys);
  app.use("*", traceRequests);
  if (services.settings.metricsEnabled) metricsRoutes(app, access);

  app.onError((error, c) => {
    // hono's own HTTP errors (e.g. a malformed request) keep their status, in our shape.
    if (error instanceof HTTPException && !(error instanceof RequestRejected)) {
      const status = error.status;
      const reason =
        status === 413 ? "PAYLOAD_TOO_LARGE" : status === 415 ? "UNSUPPORTED_MEDIA_TYPE" : "UNREADABLE_BODY";
      return problemResponse(
        toProblem(new RequestRejected({ reason, detail: error.message }), c.req.path, retryAfter),
      );
    }
    const response = toProblem(error, c.req.path, retryAfter);
    if (response.problem.status >= 500 && response.problem.status !== 503)
      console.error("gateway: unexpected error", error);
    return problemResponse(response);
  });
  app.notFound((c) =>
    problemResponse(
      toProblem(
        new RequestRejected({ reason: "NOT_FOUND", detail: `no route for ${c.req.method} ${c.req.path}` }),
        c.req.path,
        retryAfter,
      ),
    ),
  );

  transactionRoutes(app, services, access);
  accountRoutes(app, services, access);
  reportRoutes(app, services, access);
  healthRoutes(app, services, access);
  docsRoutes(app);
  assetRoutes(app);
  consoleRoutes(app, services, access);
  return app;
};
