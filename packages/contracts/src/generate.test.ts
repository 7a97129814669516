import { describe, expect, it } from "vitest";
import { staleAvroTypes } from "./generate.ts";

describe("generated Avro types", () => {
  it("match schemas/avro/ (run `npm run gen:avro` after changing a schema)", () => {
    expect(staleAvroTypes()).toEqual([]);
  });
});
