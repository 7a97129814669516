export * from "./clients.ts";
