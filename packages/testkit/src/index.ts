export * from "./environment.ts";
export * from "./namespace.ts";
