// Rewrites apps/gateway/openapi.json from the routes: `npm run openapi` (root) or `-w @ledgerline/gateway`.
import { writeFileSync } from "node:fs";
import { OPENAPI_FILE, openApiText } from "../src/openapi.ts";

writeFileSync(OPENAPI_FILE, openApiText());
console.log(`wrote ${OPENAPI_FILE}`);
