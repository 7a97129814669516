// The OpenAPI document built from the route definitions alone, for the committed apps/gateway/openapi.json.
// No service is started: the routes only keep `services` for their handlers, which never run here.
import { fileURLToPath } from "node:url";
import { buildApp } from "./app.ts";
import { DOCUMENT } from "./routes/docs.ts";
import type { GatewayServices } from "./services/index.ts";
import { defaultSettings } from "./settings.ts";

/** Where the committed document lives, and the command that rewrites it. */
export const OPENAPI_FILE = fileURLToPath(new URL("../openapi.json", import.meta.url));
export const OPENAPI_COMMAND = "npm run openapi";

/** Objects with their keys sorted, so the file's order does not depend on registration order. */
const sortKeys = (value: unknown): unknown =>
  Array.isArray(value)
    ? value.map(sortKeys)
    : value !== null && typeof value === "object"
      ? Object.fromEntries(
          Object.keys(value)
            .sort()
            .map((key) => [key, sortKeys((value as Record<string, unknown>)[key])]),
        )
      : value;

/** The document as the committed file holds it: default settings, sorted keys, two-space indent, final newline. */
export const openApiText = (): string => {
  const services = { settings: defaultSettings() } as unknown as GatewayServices;
  const document = buildApp(services).getOpenAPI31Document(DOCUMENT);
  return `${JSON.stringify(sortKeys(document), null, 2)}\n`;
};
