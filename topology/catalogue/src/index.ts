export * from "./catalogue.ts";
export * from "./names.ts";
export * from "./registryEndpoint.ts";
export * from "./schemas.ts";
