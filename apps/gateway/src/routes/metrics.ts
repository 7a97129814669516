// GET /metrics (Prometheus text format) and the per-request HTTP metrics middleware. Route labels are
// templates, never raw paths. The produce and registry counters are in ../gatewayMetrics.ts.
import type { OpenAPIHono } from "@hono/zod-openapi";
import { collectProcessMetrics, METRICS_CONTENT_TYPE, metrics, metricsText } from "@ledgerline/observability";
import { routePath } from "hono/route";
import type { Authenticator } from "../auth.ts";

type LabelledChildren = {
  readonly requests: { inc(): void };
  readonly duration: { observe(seconds: number): void };
};

export const metricsRoutes = (app: OpenAPIHono, access: Authenticator): void => {
  // Children per (method, route, status), resolved once: prom-client hashes the label object on every
  // unresolved call, which showed in the ingest path's profile. The set is bounded (route templates).
  const children = new Map<string, LabelledChildren>();
  const childrenFor = (method: string, route: string, status: number): LabelledChildren => {
    const key = `${method} ${route} ${status}`;
    let found = children.get(key);
    if (!found) {
      const labels = { method, route, status: String(status) };
      found = {
        requests: metrics.httpRequests.labels(labels),
        duration: metrics.httpRequestDuration.labels(labels),
      };
      children.set(key, found);
    }
    return found;
  };
  app.use("*", async (c, next) => {
    const started = performance.now();
    await next();
    const route = routePath(c, -1);
    // The catch-all middleware itself is the last match when no route matched: one bounded label.
    const { requests, duration } = childrenFor(
      c.req.method,
      route === "*" ? "unmatched" : route,
      c.res.status,
    );
    requests.inc();
    duration.observe((performance.now() - started) / 1_000);
  });
  // The process's own metrics too, as the other stages' ops servers serve them: the crash-loop alert reads
  // process_start_time_seconds (ops/prometheus/alerts.yml).
  collectProcessMetrics("gateway");
  // Prometheus scrapes with an ops key (bearer_token or basic_auth in its scrape config).
  app.get("/metrics", access.require(["ops"]), async (c) =>
    c.body(await metricsText(), 200, { "content-type": METRICS_CONTENT_TYPE }),
  );
};
