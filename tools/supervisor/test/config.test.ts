// What the supervisor runs, from its settings alone (no process started).
import { ConfigProvider, Effect } from "effect";
import { describe, expect, it } from "vitest";
import { supervisorSettings } from "../src/Config.ts";

const settings = (env: Record<string, string>) =>
  Effect.runPromise(
    supervisorSettings("/repo").pipe(
      Effect.provideService(ConfigProvider.ConfigProvider, ConfigProvider.fromUnknown(env)),
    ),
  );

describe("supervisorSettings", () => {
  it("runs one gateway on GATEWAY_PORT, or several on consecutive ports", async () => {
    const one = await settings({ GATEWAY_PORT: "8100", SUPERVISOR_APPS: "gateway" });
    expect(one.instances.map((i) => [i.instance, i.readyUrl, i.env.GATEWAY_PORT])).toEqual([
      ["gateway", "http://127.0.0.1:8100/ready", undefined],
    ]);
    const two = await settings({
      GATEWAY_PORT: "8100",
      SUPERVISOR_APPS: "gateway,processor",
      SUPERVISOR_GATEWAYS: "2",
    });
    const gateways = two.instances.filter((i) => i.app === "gateway");
    expect(gateways.map((i) => [i.instance, i.readyUrl, i.env.GATEWAY_PORT])).toEqual([
      ["gateway-0", "http://127.0.0.1:8100/ready", "8100"],
      ["gateway-1", "http://127.0.0.1:8101/ready", "8101"],
    ]);
    // Both ask the same stages for GET /status.
    expect(new Set(gateways.map((i) => i.env.GATEWAY_STAGE_ENDPOINTS)).size).toBe(1);
  });
});
