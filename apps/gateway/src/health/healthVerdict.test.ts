import { describe, expect, it } from "vitest";
import { type DependencyReport, decideHealth, healthBody, httpStatusOf, statusOf } from "./healthVerdict.ts";

const up = { status: "up" } as const;
const allUp: DependencyReport = { kafka: up, schema_registry: up, database: up };
const at = new Date("2026-01-01T00:00:00Z");

describe("decideHealth", () => {
  it("is Healthy, 200 and ok when every dependency is up", () => {
    const verdict = decideHealth(allUp);
    expect(verdict).toEqual({ _tag: "Healthy", components: allUp });
    expect(httpStatusOf(verdict)).toBe(200);
    expect(statusOf(verdict)).toBe("ok");
  });

  it("is Degraded, 503, naming every dependency down", () => {
    const verdict = decideHealth({
      kafka: up,
      schema_registry: { status: "down", detail: "refused" },
      database: { status: "down", detail: "no answer within 1000 ms" },
    });
    expect(verdict).toMatchObject({ _tag: "Degraded", down: ["schema_registry", "database"] });
    expect(httpStatusOf(verdict)).toBe(503);
    expect(statusOf(verdict)).toBe("degraded");
  });
});

describe("healthBody", () => {
  const verdict = decideHealth({ ...allUp, kafka: { status: "down", detail: "broker at 10.0.0.1:9092" } });

  it("lists the API and each dependency, with when they were checked; no field says unknown", () => {
    const body = healthBody(verdict, at, true);
    expect(body).toEqual({
      status: "degraded",
      checked_at: "2026-01-01T00:00:00.000Z",
      components: {
        api: up,
        kafka: { status: "down", detail: "broker at 10.0.0.1:9092" },
        schema_registry: up,
        database: up,
      },
    });
    expect(JSON.stringify(body)).not.toContain("unknown");
  });

  it("keeps error texts (internal addresses) from callers without an ops key", () => {
    expect(healthBody(verdict, at, false).components).toEqual({
      api: up,
      kafka: { status: "down" },
      schema_registry: up,
      database: up,
    });
  });
});
