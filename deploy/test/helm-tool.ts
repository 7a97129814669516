// Runs the pinned helm over deploy/helm/ledgerline: lint and render each values profile, offline, for the
// Kubernetes version and the custom-resource APIs the vendored schemas describe.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { kubernetesVersion } from "./validate.ts";

const root = resolve(import.meta.dirname, "../..");
export const chartDir = resolve(root, "deploy/helm/ledgerline");

/** The path of a Go-built tool, built at its pinned version first if needed (ops/bin/<name>.sh). */
export const tool = (name: "helm" | "kubeconform"): string =>
  execFileSync("bash", [resolve(root, `ops/bin/${name}.sh`)], { cwd: root, encoding: "utf8" }).trim();

/** The values profiles: values.yaml (the defaults) and its small and production overlays. */
export const PROFILE_FILES = ["values.yaml", "values-small.yaml", "values-production.yaml"] as const;
export type ProfileFile = (typeof PROFILE_FILES)[number];

/** `helm template` and the capabilities checks see the CRD APIs we hold schemas for (group/version). */
export const crdApiVersions = (): string[] => {
  const crds = resolve(root, "deploy/schemas/crds");
  return readdirSync(crds).flatMap((group) => [
    ...new Set(readdirSync(join(crds, group)).map((file) => `${group}/${file.replace(/^.*_|\.json$/g, "")}`)),
  ]);
};

// helm keeps caches and config under $HOME by default: a scratch home keeps the run hermetic. No
// kubeconfig, and a proxy that refuses connections: lint and template never reach a cluster or a network.
const home = mkdtempSync(join(tmpdir(), "ledgerline-helm-"));
const refuse = "http://127.0.0.1:9";
const env = {
  ...process.env,
  HELM_CACHE_HOME: join(home, "cache"),
  HELM_CONFIG_HOME: join(home, "config"),
  HELM_DATA_HOME: join(home, "data"),
  KUBECONFIG: join(home, "kubeconfig"),
  HTTP_PROXY: refuse,
  HTTPS_PROXY: refuse,
  http_proxy: refuse,
  https_proxy: refuse,
};
// values.yaml is always read; an overlay is given with -f on top of it.
const valuesArgs = (profile: ProfileFile) =>
  profile === "values.yaml" ? [] : ["-f", join(chartDir, profile)];

const run = (helm: string, args: string[]) => {
  const result = spawnSync(helm, args, { cwd: root, encoding: "utf8", env, maxBuffer: 64 * 1024 * 1024 });
  return {
    status: result.status,
    stdout: result.stdout,
    output: `${result.stdout}${result.stderr}${result.error ?? ""}`,
  };
};

export const lint = (helm: string, profile: ProfileFile) =>
  run(helm, ["lint", "--strict", "--kube-version", kubernetesVersion, chartDir, ...valuesArgs(profile)]);

const rendered = new Map<string, string>();

/** The rendered manifests (multi-document YAML) of one profile, hooks included; throws with helm's output.
 *  Rendered once per profile: the schema checks and the manifests' tests read the same text. */
export const render = (helm: string, profile: ProfileFile): string => {
  const cached = rendered.get(profile);
  if (cached !== undefined) return cached;
  const result = run(helm, [
    "template",
    "ledgerline",
    chartDir,
    "--namespace",
    "ledgerline",
    "--kube-version",
    kubernetesVersion,
    ...crdApiVersions().flatMap((api) => ["--api-versions", api]),
    ...valuesArgs(profile),
  ]);
  if (result.status !== 0) throw new Error(`helm template (${profile}) failed:\n${result.output}`);
  rendered.set(profile, result.stdout);
  return result.stdout;
};
