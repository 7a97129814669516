import { describe, expect, it } from "vitest";
import { memoiseText } from "./memo.ts";

describe("memoiseText", () => {
  it("computes each argument once while it is kept", () => {
    const calls: string[] = [];
    const upper = memoiseText((text) => {
      calls.push(text);
      return text.toUpperCase();
    });
    expect([upper("a"), upper("b"), upper("a"), upper("b")]).toEqual(["A", "B", "A", "B"]);
    expect(calls).toEqual(["a", "b"]);
  });

  it("remembers undefined results too", () => {
    let calls = 0;
    const nothing = memoiseText(() => {
      calls++;
      return undefined;
    });
    nothing("x");
    nothing("x");
    expect(calls).toBe(1);
  });

  it("empties itself when full and stays correct", () => {
    const calls: string[] = [];
    const length = memoiseText(
      (text) => {
        calls.push(text);
        return text.length;
      },
      { limit: 2 },
    );
    expect([length("a"), length("bb"), length("ccc"), length("a"), length("ccc")]).toEqual([1, 2, 3, 1, 3]);
    // "ccc" emptied the cache ("a" computed again), then "a" joined "ccc".
    expect(calls).toEqual(["a", "bb", "ccc", "a"]);
  });

  it("never keeps an argument longer than maxKeyLength", () => {
    let calls = 0;
    const id = memoiseText(
      (text) => {
        calls++;
        return text;
      },
      { maxKeyLength: 3 },
    );
    id("abcd");
    id("abcd");
    id("abc");
    id("abc");
    expect(calls).toBe(3);
  });
});
