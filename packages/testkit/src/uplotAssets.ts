// uPlot's script and stylesheet from node_modules, for the bench and chaos reports to inline: their HTML
// files open anywhere, and no request leaves the page.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

export const uplotAssets = () => {
  const require = createRequire(import.meta.url);
  const dir = dirname(require.resolve("uplot/package.json"));
  return {
    js: readFileSync(join(dir, "dist/uPlot.iife.min.js"), "utf8"),
    css: readFileSync(join(dir, "dist/uPlot.min.css"), "utf8"),
  };
};
