// Generates TypeScript types from the Avro contract with @ovotech/avro-ts, in the shapes our codec
// produces: longs are bigint, timestamp-millis are Date, decimals are exact strings.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadSchema, type TopicId, topics } from "@ledgerline/catalogue";
import { toTypeScript } from "@ovotech/avro-ts";
import type { Schema } from "avsc";

export const generatedDirectory = resolve(import.meta.dirname, "avro");

const HEADER = "// Generated from schemas/avro/ by `npm run gen:avro` (@ovotech/avro-ts). Do not edit.\n";

/** Marks plain longs so the generator can map them to bigint like our codec does. */
const markLongs = (schema: unknown): unknown => {
  if (schema === "long") return { type: "long", logicalType: "ledgerline-bigint" };
  if (Array.isArray(schema)) return schema.map(markLongs);
  if (schema && typeof schema === "object") {
    const node = schema as Record<string, unknown>;
    if (node.type === "long" && typeof node.logicalType === "string") return node;
    const copy: Record<string, unknown> = { ...node };
    if ("type" in copy) copy.type = markLongs(copy.type);
    if (Array.isArray(copy.fields)) {
      copy.fields = (copy.fields as Record<string, unknown>[]).map((field) => ({
        ...field,
        type: markLongs(field.type),
      }));
    }
    if ("items" in copy) copy.items = markLongs(copy.items);
    if ("values" in copy) copy.values = markLongs(copy.values);
    return copy;
  }
  return schema;
};

/**
 * Keeps the generator's types and drops its runtime constants (schema JSON strings): the .avsc
 * files are the source of truth, and a types-only namespace is erasable for Node's type stripping.
 */
const typesOnly = (source: string): string =>
  source
    .replace(/\/\* eslint-disable[^\n]*\n/, "")
    .replace(/^ *export const \w+(Schema|Name) = .*;\n/gm, "")
    .replace(/^export namespace /gm, "export declare namespace ");

/** File name → generated source, for every schema in the catalogue. */
export const generateAvroTypes = (): Map<string, string> => {
  const files = new Map<string, string>();
  const exports: string[] = [];
  for (const id of Object.keys(topics) as TopicId[]) {
    const { schema } = loadSchema(id);
    const name = (schema as { name: string }).name;
    const source = toTypeScript(markLongs(schema) as Schema, {
      logicalTypes: {
        "ledgerline-bigint": "bigint",
        "timestamp-millis": "Date",
        decimal: "string",
        uuid: "string",
      },
    });
    files.set(`${name}.ts`, HEADER + typesOnly(source));
    exports.push(`export type * as ${name}Types from "./${name}.ts";`);
    exports.push(`export type { ${name} } from "./${name}.ts";`);
  }
  files.set("index.ts", `${HEADER}${exports.join("\n")}\n`);
  return files;
};

/** Names of generated files that differ from what is on disk. */
export const staleAvroTypes = (): string[] =>
  [...generateAvroTypes()]
    .filter(([file, source]) => {
      try {
        return readFileSync(join(generatedDirectory, file), "utf8") !== source;
      } catch {
        return true;
      }
    })
    .map(([file]) => file);
