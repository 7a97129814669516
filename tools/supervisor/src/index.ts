export * from "./Config.ts";
export * from "./restartPolicy.ts";
export * from "./Supervisor.ts";
