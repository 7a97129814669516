// SUPERVISOR_ROUTES: parsing, and the rewrite of one app's environment (pure functions).
import { ConfigProvider, Effect } from "effect";
import { describe, expect, it } from "vitest";
import { APP_NAMES, supervisorSettings } from "../src/Config.ts";
import { parseRoutes, rewriteEnv } from "../src/routes.ts";

const routesOf = (text: string) => {
  const parsed = parseRoutes(text, APP_NAMES);
  if (parsed._tag !== "Routes") throw new Error(parsed.problem);
  return parsed.routes;
};

describe("parseRoutes", () => {
  it("reads app=from>to entries, several per app", () => {
    const routes = routesOf(
      " processor=127.0.0.1:9092>127.0.0.1:41000, processor=127.0.0.1:9192>127.0.0.1:41100,ledger-sink=127.0.0.1:5433>127.0.0.1:42000",
    );
    expect(routes.get("processor")).toEqual([
      { from: "127.0.0.1:9092", to: "127.0.0.1:41000" },
      { from: "127.0.0.1:9192", to: "127.0.0.1:41100" },
    ]);
    expect(routes.get("ledger-sink")).toEqual([{ from: "127.0.0.1:5433", to: "127.0.0.1:42000" }]);
    expect(routes.get("gateway")).toBeUndefined();
    expect(routesOf("").size).toBe(0);
  });

  it("refuses what it cannot read, saying what is wrong", () => {
    for (const [text, problem] of [
      ["processor=127.0.0.1:9092", "not app=host:port>host:port"],
      ["processor=127.0.0.1>127.0.0.1:1", "not app=host:port>host:port"],
      ["sink=127.0.0.1:1>127.0.0.1:2", "sink is not one of"],
      ["gateway=127.0.0.1:1>127.0.0.1:2,gateway=127.0.0.1:1>127.0.0.1:3", "routes 127.0.0.1:1 twice"],
    ] as const) {
      const parsed = parseRoutes(text, APP_NAMES);
      expect(parsed._tag, text).toBe("Invalid");
      if (parsed._tag === "Invalid") expect(parsed.problem).toContain(problem);
    }
  });
});

describe("rewriteEnv", () => {
  const routes = [
    { from: "127.0.0.1:9092", to: "127.0.0.1:41000" },
    { from: "127.0.0.1:9192", to: "127.0.0.1:41100" },
    { from: "127.0.0.1:5433", to: "127.0.0.1:9192" },
  ];

  it("rewrites every address in every value, and returns only what changed", () => {
    expect(
      rewriteEnv(
        {
          KAFKA_BOOTSTRAP_SERVERS: "127.0.0.1:9092,127.0.0.1:9192",
          DATABASE_URL: "postgres://ledgerline:pw@127.0.0.1:5433/ledgerline",
          LEDGER_SINK_DATABASE_URL: "postgres://ledgerline_sink:pw@127.0.0.1:5433/ledgerline?sslmode=disable",
          SCHEMA_REGISTRY_URL: "http://127.0.0.1:8081/apis/ccompat/v7",
          PGPORT: "5433",
          UNSET: undefined,
        },
        routes,
      ),
    ).toEqual({
      KAFKA_BOOTSTRAP_SERVERS: "127.0.0.1:41000,127.0.0.1:41100",
      DATABASE_URL: "postgres://ledgerline:pw@127.0.0.1:9192/ledgerline",
      LEDGER_SINK_DATABASE_URL: "postgres://ledgerline_sink:pw@127.0.0.1:9192/ledgerline?sslmode=disable",
    });
  });

  it("matches whole addresses only, and never rewrites a route's target again", () => {
    expect(
      rewriteEnv(
        { A: "127.0.0.1:90921", B: "10.127.0.0.1:9092", C: "127.0.0.1:5433 127.0.0.1:9192", D: "" },
        routes,
      ),
    ).toEqual({ C: "127.0.0.1:9192 127.0.0.1:41100" });
    expect(rewriteEnv({ A: "127.0.0.1:9092" }, [])).toEqual({});
  });
});

describe("SUPERVISOR_ROUTES in the supervisor's settings", () => {
  const settingsFrom = (env: Record<string, string>) =>
    Effect.runPromise(
      supervisorSettings("/repo").pipe(Effect.provide(ConfigProvider.layer(ConfigProvider.fromEnv({ env })))),
    );

  it("gives each app's instances the rewritten variables, and no other app", async () => {
    const previous = process.env.KAFKA_BOOTSTRAP_SERVERS;
    process.env.KAFKA_BOOTSTRAP_SERVERS = "127.0.0.1:9092";
    try {
      const settings = await settingsFrom({
        SUPERVISOR_PROCESSORS: "2",
        SUPERVISOR_ROUTES: "processor=127.0.0.1:9092>127.0.0.1:41000",
      });
      const env = Object.fromEntries(settings.instances.map((i) => [i.instance, i.env]));
      expect(env["processor-0"]?.KAFKA_BOOTSTRAP_SERVERS).toBe("127.0.0.1:41000");
      expect(env["processor-1"]?.KAFKA_BOOTSTRAP_SERVERS).toBe("127.0.0.1:41000");
      expect(env["ledger-sink"]?.KAFKA_BOOTSTRAP_SERVERS).toBeUndefined();
    } finally {
      if (previous === undefined) delete process.env.KAFKA_BOOTSTRAP_SERVERS;
      else process.env.KAFKA_BOOTSTRAP_SERVERS = previous;
    }
  });

  it("refuses a malformed setting", async () => {
    await expect(settingsFrom({ SUPERVISOR_ROUTES: "processor=9092>41000" })).rejects.toThrow(
      /SUPERVISOR_ROUTES: entry 'processor=9092>41000'/,
    );
  });
});
