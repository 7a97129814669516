// GET /console (the operator's page) and GET /console/data (what it shows, as JSON: the page and the
// tests read the same document).
import type { OpenAPIHono } from "@hono/zod-openapi";
import { ConsoleData } from "@ledgerline/contracts";
import { consolePage } from "../pages/consolePage.ts";
import type { GatewayServices } from "../services/index.ts";

export const consoleRoutes = (app: OpenAPIHono, services: GatewayServices): void => {
  app.openAPIRegistry.registerPath({
    method: "get",
    path: "/console/data",
    summary:
      "The operator console's data: stage states, throughput, lag, latency, dead letters, outbox, restarts",
    description:
      "Read from each stage's /ready and /metrics.json (the stages listed in GATEWAY_STAGE_ENDPOINTS), Kafka's consumer lag and the ledger's dead letters. Throughput and latency cover the last 5 minutes of 2-second samples, taken from the first request on.",
    tags: ["ops"],
    responses: {
      200: { description: "The console's data", content: { "application/json": { schema: ConsoleData } } },
    },
  });
  app.get("/console", (c) => c.html(consolePage()));
  app.get("/console/data", async (c) => {
    c.header("cache-control", "no-store");
    return c.json(await services.console.data());
  });
};
