export * from "./database.ts";
export * from "./environment.ts";
export * from "./namespace.ts";
export * from "./pipeline.ts";
