import { existsSync } from "node:fs";
import { defineConfig } from "vitest/config";

// One run over every workspace (so CI gets one result file); each workspace is a project.
const workspaces = [
  "topology",
  "topology/catalogue",
  "packages/contracts",
  "packages/domain",
  "packages/kafka",
  "packages/schema-registry",
  "packages/ledger-db",
  "packages/observability",
  "packages/resilience",
  "packages/testkit",
  "apps/gateway",
  "apps/processor",
  "apps/ledger-sink",
  "ops/compose",
  "ops/prometheus",
  "deploy",
  "tools/ledgerline",
  "tools/supervisor",
  "tools/chaos",
  "tools/bench",
  "e2e",
];

// The stages' and the end-to-end tests start and kill pipelines: each file keeps a worker of its own.
const OWN_WORKER = new Set([
  "packages/testkit",
  "apps/processor",
  "apps/ledger-sink",
  "tools/ledgerline",
  "tools/chaos",
  "tools/bench",
  "e2e",
]);

export default defineConfig({
  test: {
    // Integration tests talk to the real broker, registry and Postgres: allow for their latency.
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Tests that terminate Postgres backends on purpose (the sink's connection-loss test) can leave
    // slonik emitting the termination on a connection it already released; the apps log and ignore
    // it (ignoreStrayConnectionErrors in @ledgerline/ledger-db). Every other unhandled error fails.
    onUnhandledError: (error) =>
      !["57P01", "57P02", "57P03"].includes(String((error as { code?: unknown }).code)),
    projects: workspaces
      .filter((root) => existsSync(root))
      .map((root) => ({
        extends: true,
        test: {
          name: root.split("/").pop()!,
          root,
          include: ["src/**/*.test.ts", "test/**/*.test.ts", "*.test.ts"],
          // The chaos run and the end-to-end benchmark each bring up a whole pipeline of their own and
          // load it: they run after every other test has finished, one after the other, alone.
          sequence: { groupOrder: root === "tools/chaos" ? 1 : root === "tools/bench" ? 2 : 0 },
          // The chaos run and the network faults' test each start a pipeline of their own: one at a time.
          ...(root === "tools/chaos" ? { fileParallelism: false } : {}),
          // The other files share no state across files: they reuse one worker and its imports instead of
          // a fresh one each (their whole run takes about a minute less).
          ...(OWN_WORKER.has(root) ? {} : { isolate: false }),
        },
      })),
  },
});
