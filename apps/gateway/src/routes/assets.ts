// Static files the gateway's pages load, served from our own pinned dependencies (nothing is loaded
// from outside the host): Chart.js under /assets, Swagger UI under /docs/assets. Only listed files.
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

export interface PackageAsset {
  /** The name in the URL. */
  readonly name: string;
  readonly pkg: string;
  /** The path inside the package. */
  readonly file: string;
  readonly type: string;
}

/** GET `${path}/:file` for the listed files, read once at start. */
export const serveAssets = (app: OpenAPIHono, path: string, list: readonly PackageAsset[]): void => {
  const assets = new Map(
    list.map((a) => [a.name, { type: a.type, body: packageFile(a.pkg, a.file) }] as const),
  );
  app.get(`${path}/:file`, (c) => {
    const asset = assets.get(c.req.param("file"));
    if (!asset) return c.notFound();
    return c.body(new Uint8Array(asset.body), 200, {
      "content-type": asset.type,
      "cache-control": "public, max-age=86400",
    });
  });
};

export const assetRoutes = (app: OpenAPIHono): void =>
  serveAssets(app, "/assets", [
    {
      name: "chart.umd.min.js",
      pkg: "chart.js",
      file: "dist/chart.umd.min.js",
      type: "text/javascript; charset=utf-8",
    },
  ]);
