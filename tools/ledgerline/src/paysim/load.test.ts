import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import { generatePaysim } from "./generate.ts";
import {
  checkPaysim,
  cyclePaysim,
  DEFAULT_PAYSIM_FILE,
  readPaysimRows,
  startingWith,
  streamPaysim,
  usablePaysim,
} from "./load.ts";
import { PAYSIM_COLUMNS, parsePaysim } from "./paysim.ts";

const header = PAYSIM_COLUMNS.join(",");
const row = (n: number) => `${n},PAYMENT,${n}.00,C${n},0,0,M${n},0,0,0,0\n`;

/** A CSV of `rows` rows, one line a chunk, that counts how many chunks were pulled from it. */
const countingStream = (rows: number) => {
  const pulled = { chunks: 0 };
  const stream = Readable.from(
    (function* () {
      yield `${header}\n`;
      for (let n = 1; n <= rows; n++) {
        pulled.chunks += 1;
        yield row(n);
      }
    })(),
    { objectMode: false },
  );
  return { stream, pulled };
};

const collect = async <T>(items: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
};

const dir = mkdtempSync(join(tmpdir(), "paysim-load-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

describe("PaySim loader (streamed)", () => {
  it("with a count, stops reading early and closes the input: the rest of the stream is never pulled", async () => {
    const { stream, pulled } = countingStream(1_000_000);
    const rows = await collect(readPaysimRows(stream, 10));
    expect(rows.map((r) => r.nameOrig)).toEqual(Array.from({ length: 10 }, (_, i) => `C${i + 1}`));
    expect(rows.map((r) => r.line)).toEqual(Array.from({ length: 10 }, (_, i) => i + 2));
    // What the streams buffer ahead (some 64 KiB: about 1,600 rows here), not the million behind it.
    expect(pulled.chunks).toBeLessThan(10_000);
    expect(stream.destroyed).toBe(true);
  });

  it("a consumer that stops early closes the input too", async () => {
    const { stream, pulled } = countingStream(1_000_000);
    for await (const r of readPaysimRows(stream)) if (r.line === 6) break;
    expect(pulled.chunks).toBeLessThan(10_000);
    expect(stream.destroyed).toBe(true);
  });

  it("reads a file only as far as --count needs", async () => {
    const path = file("big.csv", generatePaysim(50_000, 11)); // about 4 MB
    const { createReadStream, statSync } = await import("node:fs");
    const input = createReadStream(path);
    const rows = await collect(readPaysimRows(input, 100));
    expect(rows).toHaveLength(100);
    expect(input.bytesRead).toBeLessThan(statSync(path).size / 10);
    expect(input.destroyed).toBe(true);
  });

  it("reads the same rows, numbered the same, as parsing the whole text", async () => {
    const text = generatePaysim(3_000, 5);
    const streamed = await collect(readPaysimRows(file("same.csv", text)));
    expect(streamed).toEqual(parsePaysim(text));
  });

  it("reads the shipped sample by default, mapped", async () => {
    const mapped = await collect(streamPaysim(undefined, { currency: "USD", count: 3 }));
    expect(mapped).toHaveLength(3);
    expect(mapped.every((m) => m.ok)).toBe(true);
    expect(DEFAULT_PAYSIM_FILE).toMatch(/data\/paysim-sample\.csv$/);
  });

  it("count 0 reads nothing", async () => {
    const { stream, pulled } = countingStream(100);
    expect(await collect(readPaysimRows(stream, 0))).toEqual([]);
    expect(pulled.chunks).toBe(0);
  });

  it("fails on a file that is not PaySim's, and on one that is not there", async () => {
    await expect(collect(readPaysimRows(file("other.csv", "a,b\n1,2\n")))).rejects.toThrow(/missing column/);
    await expect(collect(readPaysimRows(join(dir, "absent.csv")))).rejects.toThrow(/ENOENT/);
  });

  it("checkPaysim counts the selection and names the first unusable rows by line", async () => {
    const path = file(
      "bad.csv",
      `${header}\n${row(1)}1,REFUND,1.00,C1,0,0,C2,0,0,0,0\n${row(3)}x,PAYMENT,1.00,C1,0,0,M1,0,0,0,0\n${row(5)}`,
    );
    expect(await checkPaysim(path, { currency: "USD" })).toEqual({
      read: 5,
      usable: 3,
      unusable: 2,
      firstUnusable: [
        { line: 3, message: expect.stringMatching(/type REFUND/) },
        { line: 5, message: "step x is not a whole number" },
      ],
    });
    expect(await checkPaysim(path, { currency: "USD", count: 1 })).toMatchObject({ read: 1, unusable: 0 });
    expect((await collect(usablePaysim(path, { currency: "USD" }))).map((t) => t.accountId)).toEqual([
      "C1",
      "C3",
      "C5",
    ]);
  });

  it("cyclePaysim starts the file again when it ends, skipping unusable rows; ends when none is usable", async () => {
    const path = file("short.csv", `${header}\n${row(1)}x,PAYMENT,1,C1,0,0,M1,0,0,0,0\n${row(2)}`);
    const cycle = cyclePaysim(path, { currency: "USD" });
    const seen: string[] = [];
    for await (const t of cycle) {
      seen.push(t.accountId);
      if (seen.length === 5) break;
    }
    expect(seen).toEqual(["C1", "C2", "C1", "C2", "C1"]);
    const none = file("none.csv", `${header}\nx,PAYMENT,1,C1,0,0,M1,0,0,0,0\n`);
    expect(await collect(cyclePaysim(none, { currency: "USD" }))).toEqual([]);
  });

  it("startingWith puts a peeked row back in front, and closes the rest when stopped", async () => {
    let closed = false;
    const rest = (async function* () {
      try {
        yield 2;
        yield 3;
        yield 4;
      } finally {
        closed = true;
      }
    })();
    const taken: number[] = [];
    for await (const n of startingWith(1, rest)) {
      taken.push(n);
      if (n === 3) break;
    }
    expect(taken).toEqual([1, 2, 3]);
    expect(closed).toBe(true);
  });
});
