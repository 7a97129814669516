export * from "./logging.ts";
