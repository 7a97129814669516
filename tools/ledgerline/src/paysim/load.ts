// Reads a PaySim CSV file as a stream: the shipped sample by default, or the real paysim.csv (470 MB,
// 6.3 million rows) a user drops in. Rows are parsed as they are consumed, so memory stays flat however
// long the file, and a reader that stops (a --count reached) closes the file without reading the rest.
import { createReadStream } from "node:fs";
import { dirname, resolve } from "node:path";
import { pipeline, type Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import type { CurrencyCode } from "@ledgerline/domain";
import { parse } from "csv-parse";
import {
  DEFAULT_BASE_DATE,
  type Mapped,
  mapPaysimRow,
  PAYSIM_CSV_OPTIONS,
  type PaysimRow,
  type PaysimTransaction,
} from "./paysim.ts";

/** data/paysim-sample.csv at the repository root. */
export const DEFAULT_PAYSIM_FILE = resolve(
  dirname(fileURLToPath(import.meta.url)),
  "../../../../data/paysim-sample.csv",
);

export interface LoadOptions {
  readonly currency: CurrencyCode;
  readonly baseDate?: Date;
  /** Read no more than this many rows from the top of the file. */
  readonly count?: number;
}

/** A file to open (the sample when undefined), or a stream already open. */
export type PaysimSource = string | undefined | Readable;

const open = (source: PaysimSource): Readable =>
  typeof source === "string" || source === undefined
    ? createReadStream(source ?? DEFAULT_PAYSIM_FILE)
    : source;

/**
 * The rows of a PaySim CSV, parsed as they are consumed. Stops after `count` rows, and whenever the
 * consumer stops, destroying the input: nothing past what was asked for is read, but what the streams
 * had buffered ahead (a read of 64 KiB). A file that is not PaySim's fails on its header.
 */
export async function* readPaysimRows(source: PaysimSource, count?: number): AsyncGenerator<PaysimRow> {
  const input = open(source);
  if (count !== undefined && count <= 0) {
    input.destroy();
    return;
  }
  const parser = parse(PAYSIM_CSV_OPTIONS);
  // pipeline: an error of the input (no such file) fails the parser, and so the loop below.
  pipeline(input, parser, () => undefined);
  let read = 0;
  try {
    for await (const row of parser as AsyncIterable<PaysimRow>) {
      yield row;
      read += 1;
      if (count !== undefined && read >= count) return;
    }
  } finally {
    parser.destroy();
    input.destroy();
  }
}

/** The first `count` rows (all without it), each mapped onto our model or told why it cannot be. */
export async function* streamPaysim(source: PaysimSource, options: LoadOptions): AsyncGenerator<Mapped> {
  const mapping = { currency: options.currency, baseDate: options.baseDate ?? DEFAULT_BASE_DATE };
  for await (const row of readPaysimRows(source, options.count)) yield mapPaysimRow(row, mapping);
}

/** The usable rows of the first `count` (all without it); the unusable ones are skipped. */
export async function* usablePaysim(
  source: PaysimSource,
  options: LoadOptions,
): AsyncGenerator<PaysimTransaction> {
  for await (const mapped of streamPaysim(source, options)) if (mapped.ok) yield mapped.transaction;
}

/**
 * The file's usable rows, from the top again each time it ends, for ever (simulate's rows repeat when
 * the file is shorter than the run). Ends at once when a whole pass found none.
 */
export async function* cyclePaysim(
  file: string | undefined,
  options: Omit<LoadOptions, "count">,
): AsyncGenerator<PaysimTransaction> {
  for (;;) {
    let found = false;
    for await (const transaction of usablePaysim(file, options)) {
      found = true;
      yield transaction;
    }
    if (!found) return;
  }
}

/** What reading the first `count` rows found: how many, and the unusable ones (the first few, by line). */
export interface PaysimCheck {
  readonly read: number;
  readonly usable: number;
  readonly unusable: number;
  readonly firstUnusable: ReadonlyArray<{ readonly line: number; readonly message: string }>;
}

/** Reads and maps the first `count` rows (all without it), keeping only counts: memory stays flat. */
export const checkPaysim = async (
  source: PaysimSource,
  options: LoadOptions & { readonly keep?: number },
): Promise<PaysimCheck> => {
  let read = 0;
  let usable = 0;
  const firstUnusable: { line: number; message: string }[] = [];
  for await (const mapped of streamPaysim(source, options)) {
    read += 1;
    if (mapped.ok) usable += 1;
    else if (firstUnusable.length < (options.keep ?? 5))
      firstUnusable.push({ line: mapped.line, message: mapped.message });
  }
  return { read, usable, unusable: read - usable, firstUnusable };
};

/** `first`, then the rest of `rest`: puts back a row taken to see whether there is any. Closes `rest`. */
export async function* startingWith<T>(first: T, rest: AsyncIterator<T>): AsyncGenerator<T> {
  try {
    yield first;
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
  } finally {
    await rest.return?.();
  }
}
