// GET /openapi.json (OpenAPI 3.1, generated from the zod schemas that validate) and GET /docs (Swagger UI).
// Swagger UI comes from our own dependency (swagger-ui-dist, pinned): the page loads nothing from outside
// the host, so it renders on a machine without internet access and under a strict CSP.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { Problem } from "@ledgerline/contracts";

const swaggerDir = dirname(createRequire(import.meta.url).resolve("swagger-ui-dist/package.json"));

/** The files the page needs, read once: nothing else under /docs/assets is served. */
const ASSETS: Readonly<Record<string, string>> = {
  "swagger-ui.css": "text/css; charset=utf-8",
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "favicon-32x32.png": "image/png",
};
const assets = new Map(
  Object.entries(ASSETS).map(([name, type]) => [name, { type, body: readFileSync(join(swaggerDir, name)) }]),
);

const INIT = `window.onload = () => {
  window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", deepLinking: true, tryItOutEnabled: true,
    persistAuthorization: true });
};
`;

const PAGE = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>ledgerline gateway API</title>
  <link rel="icon" type="image/png" href="/docs/assets/favicon-32x32.png">
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/init.js"></script>
</body>
</html>
`;

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
  app.get("/docs", (c) => c.html(PAGE));
  app.get("/docs/assets/init.js", (c) =>
    c.body(INIT, 200, { "content-type": "text/javascript; charset=utf-8" }),
  );
  app.get("/docs/assets/:file", (c) => {
    const asset = assets.get(c.req.param("file"));
    if (!asset) return c.notFound();
    return c.body(new Uint8Array(asset.body), 200, {
      "content-type": asset.type,
      "cache-control": "public, max-age=86400",
    });
  });
};
