// Prints vitest's JSON results as the one line CI reads: "N passed, N failed[, N skipped]".
import { existsSync, readFileSync } from "node:fs";

interface VitestJson {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults: {
    status: string;
    name: string;
    message?: string;
    assertionResults: { status: string }[];
  }[];
}

const file = process.argv[2] ?? ".ledgerline/test-results.json";
if (!existsSync(file)) {
  console.log("0 passed, 1 failed");
  console.error(`no test results at ${file}: the test run did not finish`);
  process.exit(1);
}
const results = JSON.parse(readFileSync(file, "utf8")) as VitestJson;
// A file that failed to load, or whose beforeAll/afterAll failed (its tests then show as skipped), has no
// failed assertion but must still count as a failure.
const brokenFiles = results.testResults.filter(
  (r) => r.status === "failed" && !r.assertionResults.some((a) => a.status === "failed"),
);
for (const broken of brokenFiles) console.error(`failed to run: ${broken.name}\n${broken.message ?? ""}`);
const failed = results.numFailedTests + brokenFiles.length;
const skipped = results.numPendingTests + results.numTodoTests;
console.log(`${results.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(failed > 0 ? 1 : 0);
