// The benchmark's baseline: a bare Hono endpoint that parses the JSON body and answers 202, nothing else.
import { serve } from "@hono/node-server";
import { Hono } from "hono";

const app = new Hono();
app.post("/v1/transactions", async (c) => {
  await c.req.json();
  return c.json({ status: "accepted" }, 202);
});
serve({ fetch: app.fetch, port: Number(process.env.PORT), hostname: "127.0.0.1" });
