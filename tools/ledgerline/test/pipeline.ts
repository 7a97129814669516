// The pipeline fixture lives in @ledgerline/testkit; the CLI's tests add the path of its entry point.
import { resolve } from "node:path";
import { REPO_ROOT } from "@ledgerline/testkit";

export { type AppName, freePort, type Pipeline, REPO_ROOT, startPipeline } from "@ledgerline/testkit";
export const CLI = resolve(REPO_ROOT, "tools/ledgerline/src/main.ts");
