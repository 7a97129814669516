// The rendered chart as objects, for the tests over its manifests: `helm template` of one values profile
// (helm-tool.ts: the pinned helm, offline), parsed.
import { parseAllDocuments } from "yaml";
import { chartDir, type ProfileFile, render as renderText, tool } from "./helm-tool.ts";

export const CHART = chartDir;

/** `default` is values.yaml alone; the others add values-<profile>.yaml. */
export const PROFILES = ["default", "small", "production"] as const;
export type Profile = (typeof PROFILES)[number];
const fileOf = (profile: Profile): ProfileFile =>
  profile === "default" ? "values.yaml" : `values-${profile}.yaml`;

/** A rendered Kubernetes object, as loosely typed as YAML is: tests narrow what they read. */
export type Manifest = {
  apiVersion: string;
  kind: string;
  // biome-ignore lint/suspicious/noExplicitAny: a manifest is arbitrary YAML; tests narrow what they read.
  metadata: { name: string; [k: string]: any };
  // biome-ignore lint/suspicious/noExplicitAny: as above.
  [k: string]: any;
};

let helm: string | undefined;
const helmPath = (): string => {
  helm ??= tool("helm");
  return helm;
};

export const render = (profile: Profile): Manifest[] =>
  parseAllDocuments(renderText(helmPath(), fileOf(profile)))
    .map((document) => document.toJS() as Manifest | null)
    .filter((manifest): manifest is Manifest => manifest !== null);
