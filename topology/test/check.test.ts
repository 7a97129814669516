import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { schemaDirectory, topics } from "@ledgerline/catalogue";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { environmentFrom } from "../src/Config.ts";
import { checkTopology } from "../src/check.ts";
import { connectRegistry } from "../src/connect.ts";
import { type ProvisionedNamespace, provisionNamespace } from "../src/provision.ts";

describe("topology check", () => {
  let ns: ProvisionedNamespace;
  beforeAll(async () => {
    ns = await provisionNamespace("check", { only: ["validated", "fxRates"] });
  });
  afterAll(() => ns?.cleanup());

  const registry = () => connectRegistry({ ...environmentFrom(), namespace: ns.namespace });

  it("accepts the working tree and rejects an incompatible change", async () => {
    const clean = await checkTopology(await registry(), ns.names, { only: ["validated", "fxRates"] });
    expect(clean.map((r) => r.status)).toEqual(["identical", "identical"]);

    const dir = mkdtempSync(join(tmpdir(), "avro-"));
    for (const spec of Object.values(topics)) {
      writeFileSync(
        join(dir, spec.value.schemaFile),
        readFileSync(join(schemaDirectory, spec.value.schemaFile)),
      );
    }
    // A new field without a default breaks FULL_TRANSITIVE: old readers cannot fill it in.
    const validated = JSON.parse(readFileSync(join(dir, "TransactionValidated.avsc"), "utf8"));
    validated.fields.push({ name: "settlement_date", type: "string", doc: "new required field" });
    writeFileSync(join(dir, "TransactionValidated.avsc"), JSON.stringify(validated));
    const results = await checkTopology(await registry(), ns.names, { directory: dir, only: ["validated"] });
    expect(results[0]?.status).toBe("incompatible");
  });

  it("names the file and the reason for a malformed .avsc", async () => {
    const dir = mkdtempSync(join(tmpdir(), "avro-bad-"));
    writeFileSync(
      join(dir, "FxRate.avsc"),
      '{"type":"record","name":"FxRate","fields":[{"name":"x","type":"nope"}]}',
    );
    await expect(
      checkTopology(await registry(), ns.names, { directory: dir, only: ["fxRates"] }),
    ).rejects.toThrow(/FxRate\.avsc: not a valid Avro schema .*nope/);
  });
});
