// The committed openapi.json is the routes' current document: a route change without it fails here.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { OPENAPI_COMMAND, OPENAPI_FILE, openApiText } from "./openapi.ts";

describe("apps/gateway/openapi.json", () => {
  it("matches the document generated from the routes", () => {
    const committed = readFileSync(OPENAPI_FILE, "utf8");
    const current = openApiText();
    expect(committed, `openapi.json is stale: run \`${OPENAPI_COMMAND}\` and commit it`).toBe(current);
  });

  it("is generated the same way twice (no host, port or clock in it)", () => {
    expect(openApiText()).toBe(openApiText());
  });
});
