export * from "./access/apiKeys.ts";
export * from "./app.ts";
export * from "./Config.ts";
export * from "./layers.ts";
export * from "./settings.ts";
