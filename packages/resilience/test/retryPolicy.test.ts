import { describe, expect, it } from "vitest";
import { FaultReason, retryPolicy } from "../src/index.ts";

describe("retryPolicy", () => {
  it("retries every transient reason, stops only on configuration and programming errors", () => {
    const stops = FaultReason.literals.filter((reason) => retryPolicy(reason)._tag === "Stop");
    expect(stops).toEqual(["Misconfigured", "Defect"]);
  });

  it("renews the client each fault leaves unusable", () => {
    expect(retryPolicy("Fenced")).toMatchObject({ _tag: "Retry", renew: ["producer"] });
    expect(retryPolicy("StreamClosed")).toMatchObject({ renew: ["consumer"] });
    expect(retryPolicy("CoordinatorUnavailable")).toMatchObject({ renew: ["consumer"] });
    expect(retryPolicy("RegistryUnavailable")).toMatchObject({ renew: [] });
    expect(retryPolicy("Aborted")).toMatchObject({ renew: ["producer"] });
  });
});
