// Request headers read straight from Node's IncomingMessage when @hono/node-server serves the app:
// c.req.header() builds a WHATWG Headers object per request, a cost the ingest hot path can skip.
import type { HttpBindings } from "@hono/node-server";
import type { Context } from "hono";

/** The header's value (`name` in lower case); duplicates joined with ", " as fetch's Headers does. */
export const requestHeader = (c: Context, name: string): string | undefined => {
  const incoming = (c.env as Partial<HttpBindings> | undefined)?.incoming;
  if (!incoming) return c.req.header(name); // app.request() in tests: no Node request behind it
  const value = incoming.headers[name];
  return Array.isArray(value) ? value.join(", ") : value;
};
