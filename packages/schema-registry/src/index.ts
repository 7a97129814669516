export * from "./avroTypes.ts";
export * from "./RegistryCodec.ts";
