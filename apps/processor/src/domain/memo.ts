// Bounded memoisation of pure text functions: merchant names and FX rate texts repeat from record to record.

export interface MemoOptions {
  /** Entries kept; the cache is emptied when full (cheaper than LRU bookkeeping, and bounded). */
  readonly limit?: number;
  /** Longer arguments are computed, never kept: a foreign producer's huge text must not pin memory. */
  readonly maxKeyLength?: number;
}

/** `fn` remembered per argument. Only for pure functions: a cached result must equal a fresh one. */
export const memoiseText = <R>(
  fn: (text: string) => R,
  { limit = 10_000, maxKeyLength = 256 }: MemoOptions = {},
): ((text: string) => R) => {
  const cache = new Map<string, R>();
  return (text) => {
    const cached = cache.get(text);
    if (cached !== undefined || cache.has(text)) return cached as R;
    const result = fn(text);
    if (text.length <= maxKeyLength) {
      if (cache.size >= limit) cache.clear();
      cache.set(text, result);
    }
    return result;
  };
};
