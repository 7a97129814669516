export * from "./accountView.ts";
export * from "./consoleData.ts";
export * from "./pipelineStatus.ts";
export * from "./problem.ts";
export * from "./transactionRequest.ts";
export * from "./transactionView.ts";
