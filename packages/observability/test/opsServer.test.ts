// The ops endpoint of a stage whose port is taken (an ephemeral client port, another instance): the
// stage runs on, and the endpoint answers once the port is free. Real sockets, no stage needed.
import { createServer } from "node:net";
import { freePort } from "@ledgerline/testkit";
import { Effect } from "effect";
import { describe, expect, it } from "vitest";
import { serveOpsEndpoints } from "../src/opsServer.ts";

const answers = async (url: string) => {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(500) })).status;
  } catch {
    return 0;
  }
};

describe("ops endpoint", () => {
  it("binds its port once another process lets it go", { timeout: 30_000 }, async () => {
    const port = await freePort();
    // Holds the port; refuses to talk (closes every connection at once).
    const holder = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => holder.listen(port, "127.0.0.1", resolve));
    const statuses = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          yield* serveOpsEndpoints({ service: "ops-test", host: "127.0.0.1", port });
          const whileTaken = yield* Effect.promise(() => answers(`http://127.0.0.1:${port}/health`));
          yield* Effect.promise(() => new Promise<void>((resolve) => holder.close(() => resolve())));
          let after = 0;
          for (let i = 0; i < 100 && after !== 200; i++) {
            yield* Effect.sleep("100 millis");
            after = yield* Effect.promise(() => answers(`http://127.0.0.1:${port}/health`));
          }
          const livez = yield* Effect.promise(() => answers(`http://127.0.0.1:${port}/livez`));
          return { whileTaken, after, livez };
        }),
      ),
    );
    // While held, the holder answers: no 200 from us.
    expect(statuses.whileTaken).not.toBe(200);
    expect(statuses.after).toBe(200);
    expect(statuses.livez).toBe(200);
  });

  it("serves the process metrics under their standard names, for stock Node.js dashboards", async () => {
    const port = await freePort();
    const text = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          yield* serveOpsEndpoints({ service: "ops-test", host: "127.0.0.1", port });
          return yield* Effect.promise(async () => (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
        }),
      ),
    );
    expect(text).toMatch(/^process_cpu_user_seconds_total\{service="ops-test"\} /m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds\{service="ops-test"\} /m);
    expect(text).not.toContain("ledgerline_process_");
    expect(text).not.toContain("ledgerline_nodejs_");
  });
});
