// Every object the chart renders, for every values profile, is valid against the pinned schemas in
// deploy/schemas (Kubernetes 1.35, Strimzi 1.2.0, CloudNativePG 1.30.0, prometheus-operator 0.93.0), offline;
// and the validation itself catches what it should, chart or no chart. ops/bin/helm.sh and
// ops/bin/kubeconform.sh build the pinned tools if needed (`npm test` runs them before the tests).
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { chartDir, lint, PROFILE_FILES, render, tool } from "./helm-tool.ts";
import { describeFindings, kubeconformArgs, schemaLocations, validate } from "./validate.ts";

// A Go build on a fresh machine takes minutes.
const BUILD_TIMEOUT = 900_000;

const deployment = (container: string) => `
apiVersion: apps/v1
kind: Deployment
metadata:
  name: gateway
  labels: { app: gateway }
spec:
  replicas: 2
  selector: { matchLabels: { app: gateway } }
  template:
    metadata: { labels: { app: gateway } }
    spec:
      containers:
        - name: gateway
          image: ledgerline:dev
          ${container}
          resources: { requests: { cpu: 1, memory: 256Mi }, limits: { cpu: "2", memory: 512Mi } }
`;
const kafkaTopic = (partitions: string) => `
apiVersion: kafka.strimzi.io/v1
kind: KafkaTopic
metadata:
  name: transactions
  labels: { strimzi.io/cluster: ledgerline }
spec:
  partitions: ${partitions}
  replicas: 3
  config: { min.insync.replicas: 2, cleanup.policy: delete }
`;
const cluster = (extra: string) => `
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata: { name: ledgerline-pg }
spec:
  instances: 3
  storage: { size: 10Gi }
  ${extra}
`;

describe("the offline validation", () => {
  let kubeconform = "";
  beforeAll(() => {
    kubeconform = tool("kubeconform");
  }, BUILD_TIMEOUT);

  it("uses only the vendored schemas: local paths, no default location, no skipping of missing schemas", () => {
    for (const location of schemaLocations) {
      expect(location).not.toMatch(/^[a-z]+:\/\//);
      expect(existsSync(dirname(location.split("{{")[0]!)), location).toBe(true);
    }
    const args = kubeconformArgs();
    expect(args).not.toContain("default");
    expect(args).not.toContain("-ignore-missing-schemas");
    expect(args).toContain("-strict");
  });

  it("accepts a valid Deployment, KafkaTopic and CloudNativePG Cluster", () => {
    const result = validate(
      kubeconform,
      [deployment("imagePullPolicy: IfNotPresent"), kafkaTopic("3"), cluster("")].join("\n---\n"),
    );
    expect(result.findings, describeFindings(result.findings)).toEqual([]);
    expect(result.summary).toEqual({ valid: 3, invalid: 0, errors: 0, skipped: 0 });
  });

  it.each([
    ["a Deployment with a misspelt field", deployment("imagePulPolicy: IfNotPresent"), "imagePulPolicy"],
    ["a KafkaTopic with a wrong type", kafkaTopic('"three"'), "/spec/partitions"],
    ["a CloudNativePG Cluster with an unknown field", cluster("instancesPerZone: 1"), "instancesPerZone"],
  ])("rejects %s", (_, manifest, where) => {
    const result = validate(kubeconform, manifest);
    expect(result.summary.invalid, describeFindings(result.findings)).toBe(1);
    expect(describeFindings(result.findings)).toContain(where);
  });

  it("fails, never skips, a kind it holds no schema for, and fetches nothing to find one", () => {
    const result = validate(kubeconform, "apiVersion: example.com/v1\nkind: Widget\nmetadata: { name: w }\n");
    expect(result.summary).toMatchObject({ valid: 0, errors: 1, skipped: 0 });
    expect(result.findings[0]?.message).toMatch(/could not find schema for Widget/);
    expect(result.findings[0]?.message).not.toMatch(/https?:/);
  });
});

describe("the chart deploy/helm/ledgerline", () => {
  let helm = "";
  let kubeconform = "";
  beforeAll(() => {
    helm = tool("helm");
    kubeconform = tool("kubeconform");
  }, BUILD_TIMEOUT);

  it("has its default values and the two profiles", () => {
    for (const file of PROFILE_FILES) expect(existsSync(join(chartDir, file)), file).toBe(true);
  });

  describe.each(PROFILE_FILES)("with %s", (profile) => {
    it("passes helm lint --strict", () => {
      const result = lint(helm, profile);
      expect(result.status, result.output).toBe(0);
    });

    it("renders objects that are all valid against the pinned schemas, none skipped", () => {
      const result = validate(kubeconform, render(helm, profile));
      expect(result.findings, describeFindings(result.findings)).toEqual([]);
      expect(result.summary.valid).toBeGreaterThan(0);
      expect(result.summary).toMatchObject({ invalid: 0, errors: 0, skipped: 0 });
    });
  });
});
