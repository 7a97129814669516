// GET /openapi.json (OpenAPI 3.1, generated from the zod schemas that validate) and GET /docs (Swagger UI).

import { swaggerUI } from "@hono/swagger-ui";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { Problem } from "@ledgerline/contracts";

export const docsRoutes = (app: OpenAPIHono): void => {
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description: "Per-upstream API key: `Authorization: Bearer <key>` (development: dev-key-change-me)",
  });
  app.openAPIRegistry.register("Problem", Problem);
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "ledgerline gateway",
      version: "0.1.0",
      description:
        "HTTP ingest and query API. 202 means Kafka acknowledged the record (acks=all, idempotent producer). Errors are RFC 9457 problem+json.",
    },
    servers: [{ url: "/" }],
  });
  app.get("/docs", swaggerUI({ url: "/openapi.json" }));
};
