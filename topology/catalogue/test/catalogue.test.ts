import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  loadAllSchemas,
  loadSchema,
  names,
  registryEndpoint,
  SchemaFileError,
  stages,
  type TopicId,
  topics,
} from "../src/index.ts";

describe("the catalogue", () => {
  it("resolves names under a namespace and back", () => {
    const resolved = names("ns");
    expect(resolved.topic("validated")).toBe(`ns.${topics.validated.name}`);
    expect(resolved.valueSubject("validated")).toBe(`ns.${topics.validated.name}-value`);
    expect(resolved.topicIdOf(resolved.topic("dlq"))).toBe("dlq");
    expect(names().topic("validated")).toBe(topics.validated.name);
    for (const stage of Object.keys(stages) as (keyof typeof stages)[]) {
      const spec = stages[stage];
      if ("group" in spec) expect(resolved.group(stage)).toBe(`ns.${spec.group}`);
    }
  });

  it("reads every topic's value schema as JSON", () => {
    const loaded = loadAllSchemas();
    expect(loaded.map((schema) => schema.topicId)).toEqual(Object.keys(topics) as TopicId[]);
    for (const schema of loaded) expect(typeof schema.schema).toBe("object");
  });

  it("names the file of a schema that is not JSON", () => {
    const dir = mkdtempSync(join(tmpdir(), "catalogue-"));
    writeFileSync(join(dir, topics.fxRates.value.schemaFile), "{ not json");
    expect(() => loadSchema("fxRates", dir)).toThrow(SchemaFileError);
    expect(() => loadSchema("fxRates", dir)).toThrow(/FxRate\.avsc: not valid JSON/);
  });

  it("takes registry credentials out of the URL and never shows the password", () => {
    const endpoint = registryEndpoint("http://ledgerline:s3cret@127.0.0.1:8081/apis/ccompat/v7");
    expect(endpoint.host).toBe("http://127.0.0.1:8081/apis/ccompat/v7");
    expect(endpoint.auth).toEqual({ username: "ledgerline", password: "s3cret" });
    expect(endpoint.display).toBe("http://ledgerline:***@127.0.0.1:8081/apis/ccompat/v7");
    expect(registryEndpoint("http://127.0.0.1:8081").auth).toBeUndefined();
  });
});
