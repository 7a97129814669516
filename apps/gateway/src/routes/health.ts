// GET /livez (liveness, no dependency calls), GET /health (each dependency's state, from cached checks),
// GET /ready (the readiness gate: Kafka, registry, Postgres checked afresh) and GET /status (the pipeline).

import type { OpenAPIHono } from "@hono/zod-openapi";
import { HealthReport, Liveness, PipelineStatus } from "@ledgerline/contracts";
import { Effect } from "effect";
import type { Context } from "hono";
import type { Authenticator } from "../auth.ts";
import { requestHeader } from "../headers.ts";
import {
  cachedDependencyChecks,
  checkDependencies,
  type DependencyChecks,
} from "../health/dependencyChecks.ts";
import { decideHealth, healthBody, httpStatusOf, statusOf } from "../health/healthVerdict.ts";
import type { GatewayServices } from "../services/index.ts";

export const healthRoutes = (app: OpenAPIHono, services: GatewayServices, access: Authenticator): void => {
  const json = { "application/json": { schema: HealthReport } };
  // Looked up when a request runs them: the OpenAPI document is built from the routes without services.
  const checks: DependencyChecks = {
    kafka: Effect.suspend(() => services.producer.check),
    schema_registry: Effect.suspend(() => services.registry.check),
    database: Effect.suspend(() => services.ledger.check),
  };
  const timeoutMs = services.settings.readyTimeoutMs;
  const cached = Effect.runSync(
    cachedDependencyChecks(checks, { timeoutMs, ttlMs: services.settings.healthCacheMs }),
  );
  // Error texts describe the internals (addresses, versions): only an ops key sees them.
  const isOps = (c: Context) =>
    access.principalOf(requestHeader(c, "authorization"))?.scopes.has("ops") === true;

  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/livez",
    summary: "Liveness: the process serves HTTP. Calls no dependency (for an orchestrator's liveness probe)",
    tags: ["ops"],
    responses: { 200: { description: "Alive", content: { "application/json": { schema: Liveness } } } },
  });
  app.get("/livez", (c) => c.json({ status: "ok" as const }));

  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/health",
    summary:
      "Health: the API, Kafka, the schema registry and Postgres, each up or down (as seed 000 defines it)",
    // Fixed text, not the configured values: the committed OpenAPI document must not depend on settings.
    description:
      "From checks reused for `GATEWAY_HEALTH_CACHE_MS` (2 s by default; `checked_at` says when they ran) and shared by concurrent requests, each bounded by `GATEWAY_READY_TIMEOUT_MS`: polling costs the dependencies nothing, a hung one reads `down`. Each component's error text only with an ops key. Not a liveness probe (that is /livez) nor the readiness gate (/ready).",
    tags: ["ops"],
    responses: {
      200: { description: "Every component up", content: json },
      503: { description: "A dependency is down (named in components)", content: json },
    },
  });
  app.get("/health", async (c) => {
    const snapshot = await Effect.runPromise(cached);
    const verdict = decideHealth(snapshot.components);
    return c.json(healthBody(verdict, snapshot.checkedAt, isOps(c)), httpStatusOf(verdict));
  });

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
  // Checked afresh on every request: the gate that decides whether this instance gets traffic.
  app.get("/ready", async (c) => {
    const verdict = decideHealth(await Effect.runPromise(checkDependencies(checks, timeoutMs)));
    const components = isOps(c) ? verdict.components : {};
    return c.json({ status: statusOf(verdict), components }, httpStatusOf(verdict));
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
