// Validates rendered manifests with kubeconform against the schemas vendored in deploy/schemas, offline:
// every schema location is a local path (kubeconform fetches only when a location is a URL), and the
// process gets a proxy that refuses connections, so an accidental fetch fails instead of reaching out.
import { spawnSync } from "node:child_process";
import { resolve } from "node:path";

const schemas = resolve(import.meta.dirname, "../schemas");

/** The Kubernetes version the vendored schemas were generated for (deploy/schemas/README.md). */
export const kubernetesVersion = "1.35.4";

/** Tried in order: Kubernetes' own kinds, then custom resources by API group. */
export const schemaLocations: readonly string[] = [
  `${schemas}/kubernetes/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
  `${schemas}/crds/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`,
];

export type Status = "valid" | "invalid" | "error" | "skipped";

export interface Finding {
  readonly kind: string;
  readonly name: string;
  readonly apiVersion: string;
  readonly status: Status;
  readonly message: string;
  readonly errors: readonly { readonly path: string; readonly msg: string }[];
}

export interface Validation {
  readonly summary: {
    readonly valid: number;
    readonly invalid: number;
    readonly errors: number;
    readonly skipped: number;
  };
  /** Every resource kubeconform saw, valid ones included. */
  readonly resources: readonly Finding[];
  /** The resources that are not valid. */
  readonly findings: readonly Finding[];
}

interface KubeconformJson {
  resources: {
    kind: string;
    name: string;
    version: string;
    status: string;
    msg: string;
    validationErrors?: { path: string; msg: string }[];
  }[];
  summary: Validation["summary"];
}

const statuses: Record<string, Status> = {
  statusValid: "valid",
  statusInvalid: "invalid",
  statusError: "error",
  statusSkipped: "skipped",
};

// Nothing listens on port 9: a fetch through this proxy fails at once.
const refuse = "http://127.0.0.1:9";

/** The kubeconform command line: strict, pinned Kubernetes version, local schemas only, no missing-schema skip. */
export const kubeconformArgs = (): string[] => [
  "-strict",
  "-summary",
  "-verbose",
  "-output",
  "json",
  "-kubernetes-version",
  kubernetesVersion,
  ...schemaLocations.flatMap((location) => ["-schema-location", location]),
  "-",
];

/** Validates multi-document YAML with the kubeconform binary at `kubeconform`. */
export const validate = (kubeconform: string, manifests: string): Validation => {
  const result = spawnSync(kubeconform, kubeconformArgs(), {
    input: manifests,
    encoding: "utf8",
    env: { ...process.env, HTTP_PROXY: refuse, HTTPS_PROXY: refuse, http_proxy: refuse, https_proxy: refuse },
    maxBuffer: 64 * 1024 * 1024,
  });
  let parsed: KubeconformJson;
  try {
    parsed = JSON.parse(result.stdout) as KubeconformJson;
  } catch {
    throw new Error(
      `kubeconform gave no JSON (exit ${result.status}): ${result.stderr}${result.error ?? ""}${result.stdout}`,
    );
  }
  // Documents with no object (a lone `---`, a comment) come back without a status: not resources.
  const resources = parsed.resources
    .filter((r) => r.status !== "")
    .map(
      (r): Finding => ({
        kind: r.kind,
        name: r.name,
        apiVersion: r.version,
        status: statuses[r.status] ?? "error",
        message: r.msg,
        errors: r.validationErrors ?? [],
      }),
    );
  return { summary: parsed.summary, resources, findings: resources.filter((r) => r.status !== "valid") };
};

/** One line per finding, for a test's failure message. */
export const describeFindings = (findings: readonly Finding[]): string =>
  findings
    .map((f) =>
      [
        `${f.status}: ${f.apiVersion} ${f.kind} ${f.name}: ${f.message}`,
        ...f.errors.map((e) => `  ${e.path}: ${e.msg}`),
      ].join("\n"),
    )
    .join("\n");
