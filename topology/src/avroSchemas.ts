// The catalogue's schema files checked as Avro (avsc) before the registry sees them: a malformed file
// (unknown type, bad default) fails with its name and the reason, like an unreadable one.
import {
  type LoadedSchema,
  loadHistory,
  loadSchema,
  SchemaFileError,
  schemaDirectory,
  type TopicId,
} from "@ledgerline/catalogue";
import avro from "avsc";

const checked = (loaded: LoadedSchema): LoadedSchema => {
  try {
    avro.Type.forSchema(loaded.schema as avro.Schema, { assertLogicalTypes: false });
  } catch (cause) {
    throw new SchemaFileError(`${loaded.file}: not a valid Avro schema (${(cause as Error).message})`);
  }
  return loaded;
};

export const loadValidSchema = (topicId: TopicId, directory = schemaDirectory): LoadedSchema =>
  checked(loadSchema(topicId, directory));

/** The subject's earlier versions (schemas/avro/history/), oldest first, each checked. */
export const loadValidHistory = (topicId: TopicId, directory = schemaDirectory): LoadedSchema[] =>
  loadHistory(topicId, directory).map(checked);
