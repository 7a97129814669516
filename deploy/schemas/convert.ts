// Turns pinned upstream API definitions into the JSON schemas kubeconform reads offline (see README.md):
//   node deploy/schemas/convert.ts kubernetes SWAGGER_JSON VERSION   Kubernetes' own kinds, standalone + strict
//   node deploy/schemas/convert.ts crd CRD_YAML...                   CustomResourceDefinitions, strict
// It does what kubeconform's scripts/openapi2jsonschema.py and yannh/kubernetes-json-schema's generator do,
// with the few differences README.md lists.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { parseAllDocuments } from "yaml";

type Schema = { [key: string]: unknown };
const here = import.meta.dirname;

const isObject = (value: unknown): value is Schema =>
  typeof value === "object" && value !== null && !Array.isArray(value);

// The Kubernetes kinds the chart renders, as [apiVersion, kind]. A kind missing here fails the chart's
// validation (no schema) rather than being skipped: add it and regenerate.
const kubernetesKinds: readonly (readonly [string, string])[] = [
  ["v1", "ConfigMap"],
  ["v1", "Secret"],
  ["v1", "Service"],
  ["v1", "ServiceAccount"],
  ["apps/v1", "Deployment"],
  ["apps/v1", "StatefulSet"],
  ["batch/v1", "Job"],
  ["autoscaling/v2", "HorizontalPodAutoscaler"],
  ["policy/v1", "PodDisruptionBudget"],
  ["networking.k8s.io/v1", "NetworkPolicy"],
  ["rbac.authorization.k8s.io/v1", "Role"],
  ["rbac.authorization.k8s.io/v1", "RoleBinding"],
];

/** Every object schema with declared properties rejects undeclared ones (kubeconform's -strict schemas),
 * except where Kubernetes itself keeps unknown fields; descriptions are dropped. `nullable` (OpenAPI) becomes a JSON-schema null
 * type, and `int-or-string` a oneOf, as kubeconform's script does. */
const strict = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(strict);
  if (!isObject(node)) return node;
  if (node.format === "int-or-string") return { oneOf: [{ type: "string" }, { type: "integer" }] };
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    // Documentation only: dropped to keep the vendored tree small.
    if (key === "description" && typeof value === "string") continue;
    // A map of property names to schemas: recurse into each schema, never treat the map as a schema.
    out[key] =
      key === "properties" && isObject(value)
        ? Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, strict(sub)]))
        : strict(value);
  }
  if (isObject(node.properties) && !("additionalProperties" in node)) {
    if (node["x-kubernetes-preserve-unknown-fields"] !== true) out.additionalProperties = false;
  }
  if (node.nullable === true && typeof node.type === "string") out.type = [node.type, "null"];
  return out;
};

/** Kubernetes treats a null optional field as absent (yannh/kubernetes-json-schema allows it too). */
const allowNullOptional = (node: unknown): unknown => {
  if (Array.isArray(node)) return node.map(allowNullOptional);
  if (!isObject(node)) return node;
  const out: Schema = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, allowNullOptional(v)]));
  if (isObject(out.properties)) {
    const required = new Set(Array.isArray(node.required) ? node.required : []);
    for (const [name, sub] of Object.entries(out.properties)) {
      if (!required.has(name) && isObject(sub) && typeof sub.type === "string") sub.type = [sub.type, "null"];
    }
  }
  return out;
};

const write = (path: string, schema: unknown) => {
  mkdirSync(join(path, ".."), { recursive: true });
  writeFileSync(path, `${JSON.stringify(schema, null, 1)}\n`);
  console.log(`wrote ${relative(process.cwd(), path)}`);
};

/** kubeconform's {{ .ResourceKind }}{{ .KindSuffix }}: kind, first label of the group, version. */
const kubernetesFileName = (apiVersion: string, kind: string) => {
  const [groupOrVersion, version] = apiVersion.split("/");
  const suffix =
    version === undefined ? `-${groupOrVersion}` : `-${groupOrVersion!.split(".")[0]}-${version}`;
  return `${kind}${suffix}.json`.toLowerCase();
};

const kubernetes = (swaggerPath: string, version: string) => {
  const definitions = (
    JSON.parse(readFileSync(swaggerPath, "utf8")) as { definitions: Record<string, Schema> }
  ).definitions;
  // As openapi2jsonschema --kubernetes: tooling accepts a number for a quantity (cpu: 1).
  definitions["io.k8s.apimachinery.pkg.util.intstr.IntOrString"] = {
    oneOf: [{ type: "string" }, { type: "integer" }],
  };
  definitions["io.k8s.apimachinery.pkg.api.resource.Quantity"] = {
    oneOf: [{ type: "string" }, { type: "number" }],
  };
  const inline = (node: unknown, seen: readonly string[]): unknown => {
    if (Array.isArray(node)) return node.map((item) => inline(item, seen));
    if (!isObject(node)) return node;
    if (typeof node.$ref === "string") {
      const name = node.$ref.replace("#/definitions/", "");
      if (seen.includes(name)) throw new Error(`recursive definition ${[...seen, name].join(" → ")}`);
      const target = definitions[name];
      if (target === undefined) throw new Error(`no definition ${name}`);
      return inline(target, [...seen, name]);
    }
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, inline(v, seen)]));
  };
  const dir = join(here, "kubernetes", `v${version}-standalone-strict`);
  for (const [apiVersion, kind] of kubernetesKinds) {
    const [group, ver] = apiVersion.includes("/") ? apiVersion.split("/") : ["", apiVersion];
    const entry = Object.entries(definitions).find(([, def]) =>
      (
        def["x-kubernetes-group-version-kind"] as
          | { group: string; version: string; kind: string }[]
          | undefined
      )?.some((gvk) => gvk.group === group && gvk.version === ver && gvk.kind === kind),
    );
    if (entry === undefined) throw new Error(`${apiVersion} ${kind} is not in ${swaggerPath}`);
    const schema = inline(entry[1], [entry[0]]) as Schema;
    const properties = schema.properties as Record<string, Schema>;
    // Pins apiVersion and kind, as openapi2jsonschema --kubernetes does.
    properties.apiVersion = { ...properties.apiVersion, enum: [apiVersion] };
    properties.kind = { ...properties.kind, enum: [kind] };
    write(join(dir, kubernetesFileName(apiVersion, kind)), allowNullOptional(strict(schema)));
  }
};

interface Crd {
  kind?: string;
  spec?: {
    group: string;
    names: { kind: string };
    versions?: { name: string; served?: boolean; schema?: { openAPIV3Schema?: Schema } }[];
  };
}

const crds = (files: readonly string[]) => {
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
      const crd = doc.toJS() as Crd | null;
      if (crd?.kind !== "CustomResourceDefinition" || crd.spec === undefined) continue;
      for (const version of crd.spec.versions ?? []) {
        const schema = version.schema?.openAPIV3Schema;
        if (schema === undefined || version.served === false) continue;
        const name = `${crd.spec.names.kind}_${version.name}.json`.toLowerCase();
        write(join(here, "crds", crd.spec.group, name), strict(schema));
      }
    }
  }
};

const [command, ...args] = process.argv.slice(2);
if (command === "kubernetes" && args.length === 2) kubernetes(args[0]!, args[1]!);
else if (command === "crd" && args.length > 0) crds(args);
else {
  console.error("usage: convert.ts kubernetes SWAGGER_JSON VERSION | convert.ts crd CRD_YAML...");
  process.exit(2);
}
