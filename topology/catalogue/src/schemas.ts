// Reads the Avro contract from schemas/avro/; an unreadable file or bad JSON fails with its name and the
// reason. Checking it as Avro is for the clients that parse it (avsc): this package has no dependencies.
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type TopicId, topics } from "./catalogue.ts";

export const schemaDirectory = resolve(import.meta.dirname, "../../../schemas/avro");

/** An .avsc file as JSON.parse gives it; avsc's `Schema` once a client has parsed it. */
export type AvroSchemaJson = string | { readonly [key: string]: unknown } | readonly AvroSchemaJson[];

export interface LoadedSchema {
  readonly topicId: TopicId;
  readonly file: string;
  readonly text: string;
  readonly schema: AvroSchemaJson;
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
  let schema: AvroSchemaJson;
  try {
    schema = JSON.parse(text) as AvroSchemaJson;
  } catch (cause) {
    throw new SchemaFileError(`${file}: not valid JSON (${(cause as Error).message})`);
  }
  return { topicId, file, text, schema };
};

export const loadAllSchemas = (directory = schemaDirectory): LoadedSchema[] =>
  (Object.keys(topics) as TopicId[]).map((id) => loadSchema(id, directory));
