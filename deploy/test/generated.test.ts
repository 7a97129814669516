// The chart's copies of what the repository owns elsewhere: the Strimzi data generated from the topology
// catalogue, and the alert rules of ops/prometheus. A change to either source that is not carried over fails.
import { readFileSync } from "node:fs";
import { names } from "@ledgerline/catalogue";
import { STRIMZI_FILE, strimziText } from "@ledgerline/topology";
import { describe, expect, it } from "vitest";

const read = (path: string) => readFileSync(new URL(`../../${path}`, import.meta.url), "utf8");

describe("the chart's generated and copied files", () => {
  it("files/strimzi.json is what the catalogue generates now (npm run topology -- strimzi --write)", () => {
    expect(read(STRIMZI_FILE), "regenerate: npm run topology -- strimzi --write").toBe(strimziText(names()));
  });

  it("files/alerts.yml equals ops/prometheus/alerts.yml", () => {
    expect(
      read("deploy/helm/ledgerline/files/alerts.yml"),
      "copy it: cp ops/prometheus/alerts.yml deploy/helm/ledgerline/files/alerts.yml",
    ).toBe(read("ops/prometheus/alerts.yml"));
  });
});
