// The HTTP request span (SERVER) around every request, when tracing is on; handlers read its context
// (`c.get("traceContext")`) as the parent of the produce span. Off: one boolean check per request.
import { endSpan, SpanKind, startSpan, type TraceContext, tracingEnabled } from "@ledgerline/observability";
import type { MiddlewareHandler } from "hono";

export type TraceVariables = { traceContext: TraceContext | undefined };

export const traceRequests: MiddlewareHandler<{ Variables: TraceVariables }> = async (c, next) => {
  if (!tracingEnabled()) return next();
  const method = c.req.method;
  const started = startSpan(`${method} ${c.req.path}`, undefined, {
    kind: SpanKind.SERVER,
    attributes: { "http.request.method": method, "url.path": c.req.path },
  });
  c.set("traceContext", started?.context);
  try {
    await next();
  } finally {
    if (started) {
      // The route template, not the path: span names stay a bounded set.
      const route = c.req.routePath && c.req.routePath !== "/*" ? c.req.routePath : c.req.path;
      started.span.updateName(`${method} ${route}`);
      started.span.setAttribute("http.route", route);
      started.span.setAttribute("http.response.status_code", c.res.status);
      endSpan(started, c.res.status >= 500 ? new Error(`HTTP ${c.res.status}`) : undefined);
    }
  }
};
