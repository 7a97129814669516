// Reads the Avro contract from schemas/avro/; a malformed file fails with its name and the reason.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import avro from "avsc";
import { type TopicId, topics } from "./catalogue.ts";

export const schemaDirectory = resolve(import.meta.dirname, "../../schemas/avro");

export interface LoadedSchema {
  readonly topicId: TopicId;
  readonly file: string;
  readonly text: string;
  readonly schema: avro.Schema;
}

export class SchemaFileError extends Error {
  override readonly name = "SchemaFileError";
}

export const loadSchema = (topicId: TopicId, directory = schemaDirectory): LoadedSchema =>
  loadSchemaFile(topicId, topics[topicId].value.schemaFile, directory);

/** The subject's earlier versions (schemas/avro/history/), oldest first. */
export const loadHistory = (topicId: TopicId, directory = schemaDirectory): LoadedSchema[] =>
  topics[topicId].value.history.map((name) => loadSchemaFile(topicId, name, directory));

const loadSchemaFile = (topicId: TopicId, name: string, directory: string): LoadedSchema => {
  const file = join(directory, name);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (cause) {
    throw new SchemaFileError(`${file}: cannot read (${(cause as Error).message})`);
  }
  let schema: avro.Schema;
  try {
    schema = JSON.parse(text) as avro.Schema;
  } catch (cause) {
    throw new SchemaFileError(`${file}: not valid JSON (${(cause as Error).message})`);
  }
  try {
    // Parse with avsc to catch schema errors (unknown types, bad defaults) before the registry sees it.
    avro.Type.forSchema(schema, { assertLogicalTypes: false });
  } catch (cause) {
    throw new SchemaFileError(`${file}: not a valid Avro schema (${(cause as Error).message})`);
  }
  return { topicId, file, text, schema };
};

export const loadAllSchemas = (directory = schemaDirectory): LoadedSchema[] =>
  (Object.keys(topics) as TopicId[]).map((id) => loadSchema(id, directory));
