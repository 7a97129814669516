// What other workspaces use of the PaySim support: the generator (data/generate-paysim.ts) and the mapping.
export * from "./generate.ts";
export * from "./paysim.ts";
