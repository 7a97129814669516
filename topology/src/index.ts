export * from "./acls.ts";
export * from "./apply.ts";
export * from "./catalogue.ts";
export * from "./check.ts";
export * from "./connect.ts";
export * from "./describe.ts";
export * from "./names.ts";
export * from "./provision.ts";
export * from "./registryApi.ts";
export {
  type LoadedSchema,
  loadAllSchemas,
  loadSchema,
  SchemaFileError,
  schemaDirectory,
} from "./schemas.ts";
