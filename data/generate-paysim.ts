#!/usr/bin/env node
// Generates data/paysim-sample.csv with the CLI's generator (tools/ledgerline/src/paysim/generate.ts).
// Deterministic: same seed, same file.
//   node data/generate-paysim.ts [--rows 2000] [--seed 315] [--out data/paysim-sample.csv]
import { writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { generatePaysim } from "@ledgerline/cli/paysim";

const { values } = parseArgs({
  options: {
    rows: { type: "string", default: "2000" },
    seed: { type: "string", default: "315" },
    out: { type: "string" },
  },
});
const out = values.out ?? join(dirname(fileURLToPath(import.meta.url)), "paysim-sample.csv");
writeFileSync(out, generatePaysim(Number(values.rows), Number(values.seed)));
console.log(`wrote ${values.rows} rows to ${out}`);
