// GET /health (liveness, no dependency calls) and GET /ready (Kafka, registry, Postgres checked).

import type { OpenAPIHono } from "@hono/zod-openapi";
import { HealthReport, PipelineStatus } from "@ledgerline/contracts";
import { Effect } from "effect";
import type { Authenticator } from "../auth.ts";
import { requestHeader } from "../headers.ts";
import type { GatewayServices } from "../services/index.ts";

export const healthRoutes = (app: OpenAPIHono, services: GatewayServices, access: Authenticator): void => {
  const json = { "application/json": { schema: HealthReport } };
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/health",
    summary: "Liveness: the process answers; components listed as seed 000 does, without calling them",
    tags: ["ops"],
    responses: { 200: { description: "Alive", content: json } },
  });
  app.get("/health", (c) =>
    c.json({
      status: "ok",
      components: {
        api: { status: "up" },
        kafka: {
          status: "unknown",
          detail: `${services.producer.inFlight()} records awaiting ack; see /ready`,
        },
        schema_registry: { status: "unknown", detail: "see /ready" },
        database: { status: "unknown", detail: "see /ready" },
      },
    }),
  );

  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/ready",
    summary: "Readiness: Kafka, the schema registry and Postgres each checked with a short timeout",
    description:
      "Open to load balancers and supervisors: the status code and `status`. Each component's state and error text only with an ops key.",
    tags: ["ops"],
    responses: {
      200: { description: "Ready", content: json },
      503: { description: "A dependency failed (named in components)", content: json },
    },
  });
  app.get("/ready", async (c) => {
    const probe = (check: Effect.Effect<void, { detail: string }>) =>
      check.pipe(
        Effect.as({ status: "up" as const }),
        Effect.catch((error) => Effect.succeed({ status: "down" as const, detail: error.detail })),
      );
    const components = await Effect.runPromise(
      Effect.all(
        {
          kafka: probe(services.producer.check),
          schema_registry: probe(services.registry.check),
          database: probe(services.ledger.check),
        },
        { concurrency: 3 },
      ),
    );
    const failed = Object.entries(components).filter(([, value]) => value.status === "down");
    const status = failed.length === 0 ? "ok" : "degraded";
    // Error texts describe the internals (addresses, versions): only an ops key sees them.
    const ops = access.principalOf(requestHeader(c, "authorization"))?.scopes.has("ops") === true;
    return c.json(ops ? { status, components } : { status, components: {} }, failed.length === 0 ? 200 : 503);
  });

  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/status",
    summary:
      "The pipeline: each stage's state (ready, starting, retrying a fault, down) and its consumer lag",
    tags: ["ops"],
    security: [{ bearerAuth: [] }],
    responses: {
      200: {
        description: "Every stage ready: the pipeline is flowing",
        content: { "application/json": { schema: PipelineStatus } },
      },
      503: {
        description: "A stage is not ready (named, with the reason)",
        content: { "application/json": { schema: PipelineStatus } },
      },
    },
  });
  app.get("/status", access.require(["ops"]), async (c) => {
    const report = await services.pipeline.report();
    return c.json(report, report.status === "flowing" ? 200 : 503);
  });
};
