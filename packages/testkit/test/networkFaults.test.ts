// The network plan (pure): one proxy per stage and broker node, and per stage that uses Postgres; the
// brokers' extra listeners advertise the proxies; the supervisor sends each stage through its own.
import { describe, expect, it } from "vitest";
import { NetworkFault, networkPlan, toxicsOf } from "../src/networkFaults.ts";

describe("networkPlan", () => {
  const plan = networkPlan({ brokers: 3, kafkaPort: 21000, postgresPort: 5433, base: 25000 });

  it("proxies every stage to every node, and the Postgres users to Postgres", () => {
    expect(plan.proxies.length).toBe(4 * 3 + 3);
    const byName = Object.fromEntries(plan.proxies.map((p) => [p.link.name, p.proxy]));
    // processor is stage 1: its listener on node 2 at 25000+1+100, advertised (its proxy) 4 above.
    expect(byName["processor→kafka-2"]).toEqual({
      name: "processor-kafka-2",
      listen: "127.0.0.1:25105",
      upstream: "127.0.0.1:25101",
    });
    expect(byName["ledger-sink→postgres"]).toEqual({
      name: "ledger-sink-postgres",
      listen: "127.0.0.1:25010",
      upstream: "127.0.0.1:5433",
    });
    expect(byName["processor→postgres"]).toBeUndefined();
    expect(plan.apiPort).toBe(25012);
  });

  it("advertises each stage's proxies on its listener and routes the stage through them", () => {
    expect(plan.env.KAFKA_EXTRA_LISTENERS).toBe(
      "GATEWAY:25000:25004,PROCESSOR:25001:25005,LEDGER_SINK:25002:25006,OUTBOX_RELAY:25003:25007",
    );
    const routes = plan.env.SUPERVISOR_ROUTES.split(",");
    expect(routes).toContain("processor=127.0.0.1:21200>127.0.0.1:25205");
    expect(routes).toContain("gateway=127.0.0.1:5433>127.0.0.1:25008");
    expect(routes.filter((r) => r.startsWith("processor="))).toHaveLength(3);
  });
});

describe("toxicsOf", () => {
  it("makes both directions of each fault, with Toxiproxy's attribute names", () => {
    expect(toxicsOf(NetworkFault.Latency({ latencyMs: 100, jitterMs: 20 }))).toEqual([
      {
        name: "latency_upstream",
        type: "latency",
        stream: "upstream",
        toxicity: 1,
        attributes: { latency: 100, jitter: 20 },
      },
      {
        name: "latency_downstream",
        type: "latency",
        stream: "downstream",
        toxicity: 1,
        attributes: { latency: 100, jitter: 20 },
      },
    ]);
    expect(toxicsOf(NetworkFault.Partition()).map((t) => [t.type, t.attributes])).toEqual([
      ["timeout", { timeout: 0 }],
      ["timeout", { timeout: 0 }],
    ]);
    expect(toxicsOf(NetworkFault.Bandwidth({ kilobytesPerSecond: 64 }))[0]?.attributes).toEqual({ rate: 64 });
    expect(toxicsOf(NetworkFault.DropConnections())[0]?.type).toBe("reset_peer");
    expect(toxicsOf(NetworkFault.SlowClose({ delayMs: 500 }))[1]?.attributes).toEqual({ delay: 500 });
  });
});
