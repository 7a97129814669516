// GET /openapi.json (OpenAPI 3.1, generated from the zod schemas that validate) and GET /docs (Swagger UI).
// Swagger UI comes from our own dependency (swagger-ui-dist, pinned): the page loads nothing from outside
// the host, so it renders on a machine without internet access and under a strict CSP.
import type { OpenAPIHono } from "@hono/zod-openapi";
import { Problem } from "@ledgerline/contracts";
import { securePage } from "../securePage.ts";
import { serveAssets } from "./assets.ts";

/** The files the page needs: nothing else under /docs/assets is served. */
const SWAGGER_ASSETS = [
  { name: "swagger-ui.css", file: "swagger-ui.css", type: "text/css; charset=utf-8" },
  { name: "swagger-ui-bundle.js", file: "swagger-ui-bundle.js", type: "text/javascript; charset=utf-8" },
  { name: "favicon-32x32.png", file: "favicon-32x32.png", type: "image/png" },
].map((asset) => ({ ...asset, pkg: "swagger-ui-dist" }));

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

/** The document's header; also used for the committed openapi.json (see ../openapi.ts). */
export const DOCUMENT = {
  openapi: "3.1.0",
  info: {
    title: "ledgerline gateway",
    version: "0.1.0",
    description:
      "HTTP ingest and query API. 202 means Kafka acknowledged the record (acks=all, idempotent producer). Errors are RFC 9457 problem+json; their types are listed in docs/errors.md.",
  },
  servers: [{ url: "/" }],
};

export const docsRoutes = (app: OpenAPIHono): void => {
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", {
    type: "http",
    scheme: "bearer",
    description:
      "API key: `Authorization: Bearer <key>`. Its scopes: ingest (POST), read (its own client's transactions), ops (everything, /reports, /console, /metrics, /status, the details of /ready and /health). Development only: dev-key-change-me",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "basicAuth", {
    type: "http",
    scheme: "basic",
    description: "For a browser on the ops pages: any user name, the API key as the password",
  });
  app.openAPIRegistry.register("Problem", Problem);
  app.doc31("/openapi.json", DOCUMENT);
  app.get("/docs", securePage, (c) => c.html(PAGE));
  app.get("/docs/assets/init.js", (c) =>
    c.body(INIT, 200, { "content-type": "text/javascript; charset=utf-8" }),
  );
  serveAssets(app, "/docs/assets", SWAGGER_ASSETS);
};
