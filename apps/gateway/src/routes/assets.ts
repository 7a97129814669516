// GET /assets/:file: the browser libraries the gateway's pages use, served from our own pinned
// dependencies (nothing is loaded from outside the host). Only the files listed here are served.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { OpenAPIHono } from "@hono/zod-openapi";

const require = createRequire(import.meta.url);
/** A file of an installed package (found through its main entry: chart.js does not export package.json). */
const packageFile = (pkg: string, file: string) => {
  const main = require.resolve(pkg);
  const root = main.slice(0, main.lastIndexOf(`/node_modules/${pkg}/`) + `/node_modules/${pkg}/`.length);
  return readFileSync(join(root, file));
};

const ASSETS = new Map(
  [{ name: "chart.umd.min.js", pkg: "chart.js", file: "dist/chart.umd.min.js", type: "text/javascript" }].map(
    (a) => [a.name, { type: `${a.type}; charset=utf-8`, body: packageFile(a.pkg, a.file) }] as const,
  ),
);

export const assetRoutes = (app: OpenAPIHono): void => {
  app.get("/assets/:file", (c) => {
    const asset = ASSETS.get(c.req.param("file"));
    if (!asset) return c.notFound();
    return c.body(new Uint8Array(asset.body), 200, {
      "content-type": asset.type,
      "cache-control": "public, max-age=86400",
    });
  });
};
