// GET /console (the operator's page) and GET /console/data (what it shows, as JSON: the page and the
// tests read the same document).
import type { OpenAPIHono } from "@hono/zod-openapi";
import { ConsoleData } from "@ledgerline/contracts";
import type { Authenticator } from "../auth.ts";
import { consolePage } from "../pages/consolePage.ts";
import { securePage } from "../securePage.ts";
import type { GatewayServices } from "../services/index.ts";

export const consoleRoutes = (app: OpenAPIHono, services: GatewayServices, access: Authenticator): void => {
  // The browser asks for the key once (Basic, the key as password) and sends it with the page's fetches.
  const ops = access.require(["ops"], { browser: true });
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/console/data",
    summary:
      "The operator console's data: objectives, stage states, throughput, lag, latency, dead letters, outbox, restarts",
    description:
      "Read from each stage's /ready and /metrics.json (the stages listed in GATEWAY_STAGE_ENDPOINTS), Kafka's consumer lag and the ledger's dead letters. Throughput and latency cover the last 5 minutes of 2-second samples, taken from the first request on. `objectives` judges each objective of the alert rules (ops/prometheus/alerts.yml) at the same threshold: ok, breached, or not_measured with the reason when the gateway cannot know the value (e.g. before it has samples).",
    tags: ["ops"],
    security: [{ bearerAuth: [] }, { basicAuth: [] }],
    responses: {
      200: { description: "The console's data", content: { "application/json": { schema: ConsoleData } } },
    },
  });
  app.get("/console", securePage, ops, (c) => c.html(consolePage(c.get("secureHeadersNonce") ?? "")));
  app.get("/console/data", ops, async (c) => {
    c.header("cache-control", "no-store");
    return c.json(await services.console.data());
  });
};
