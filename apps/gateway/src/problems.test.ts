// docs/errors.md lists exactly the catalogue's problem types, each with its status, title and retry advice.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { PROBLEM_TYPE_BASE, PROBLEMS } from "./problems.ts";

const DOC = new URL("../../../docs/errors.md", import.meta.url);

/** The rows of the doc's table of types: `| \`<type>\` | status | title | retry | meaning |`. */
const documented = () =>
  readFileSync(DOC, "utf8")
    .split("\n")
    .filter((line) => line.startsWith(`| \`${PROBLEM_TYPE_BASE}`))
    .map((line) => {
      const [type, status, title, retry] = line
        .split("|")
        .slice(1, 5)
        .map((cell) => cell.trim());
      return { type: type!.replaceAll("`", ""), status: Number(status), title, retry };
    });

describe("docs/errors.md", () => {
  it("lists every problem type of the catalogue, and no other, with its status, title and retry", () => {
    const expected = Object.entries(PROBLEMS).map(([slug, kind]) => ({
      type: PROBLEM_TYPE_BASE + slug,
      status: kind.status,
      title: kind.title,
      retry: kind.retry,
    }));
    const byType = (a: { type: string }, b: { type: string }) => a.type.localeCompare(b.type);
    expect(documented().sort(byType), "update docs/errors.md from apps/gateway/src/problems.ts").toEqual(
      expected.sort(byType),
    );
  });
});
