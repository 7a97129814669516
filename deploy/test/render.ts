// Renders the chart with `helm template` for a values profile and parses the manifests (the tests' only
// way in: no cluster, no network).
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

export const CHART = fileURLToPath(new URL("../helm/ledgerline", import.meta.url));
const REPO = fileURLToPath(new URL("../..", import.meta.url));

/** `default` is values.yaml alone; the others add values-<profile>.yaml. */
export const PROFILES = ["default", "small", "production"] as const;
export type Profile = (typeof PROFILES)[number];

const helmScript = `${REPO}ops/bin/helm.sh`;
/** The pinned helm (ops/bin/helm.sh prints its path, installing it on first use), else the one built here. */
export const helmBinary = (): string =>
  existsSync(helmScript)
    ? execFileSync("bash", [helmScript], { cwd: REPO, encoding: "utf8" }).trim()
    : existsSync("/root/go/bin/helm")
      ? "/root/go/bin/helm"
      : "helm";

export const valuesArgs = (profile: Profile): string[] =>
  profile === "default" ? [] : ["-f", `${CHART}/values-${profile}.yaml`];

export const helm = (args: readonly string[]): string =>
  execFileSync(helmBinary(), args, { encoding: "utf8", maxBuffer: 16 * 1024 * 1024 });

/** A rendered Kubernetes object, as loosely typed as YAML is: tests narrow what they read. */
export type Manifest = {
  apiVersion: string;
  kind: string;
  // biome-ignore lint/suspicious/noExplicitAny: a manifest is arbitrary YAML; tests narrow what they read.
  metadata: { name: string; [k: string]: any };
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  [k: string]: any;
};

export const RELEASE = "ledgerline";

export const render = (profile: Profile): Manifest[] =>
  parseAllDocuments(helm(["template", RELEASE, CHART, "--namespace", "ledgerline", ...valuesArgs(profile)]))
    .map((document) => document.toJS() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null);
