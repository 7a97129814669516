// `npm run gen:avro` writes the generated Avro types; `--check` fails when they are stale.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateAvroTypes, generatedDirectory, staleAvroTypes } from "../src/generate.ts";

if (process.argv.includes("--check")) {
  const stale = staleAvroTypes();
  if (stale.length > 0) {
    console.error(`stale generated Avro types: ${stale.join(", ")} — run \`npm run gen:avro\``);
    process.exit(1);
  }
  console.log("generated Avro types are up to date");
} else {
  mkdirSync(generatedDirectory, { recursive: true });
  for (const [file, source] of generateAvroTypes()) writeFileSync(join(generatedDirectory, file), source);
  console.log(`wrote ${generatedDirectory}`);
}
