// A synthetic sample shaped like the public PaySim data set (the real one cannot be downloaded on these
// machines): data/paysim-sample.csv is made with it. Deterministic: same seed, same file.
import { PAYSIM_COLUMNS } from "./paysim.ts";

/** PaySim's published type mix (share of 6,362,620 rows). */
const TYPE_MIX: ReadonlyArray<readonly [string, number]> = [
  ["CASH_OUT", 0.3517],
  ["PAYMENT", 0.3381],
  ["CASH_IN", 0.2199],
  ["TRANSFER", 0.0838],
  ["DEBIT", 0.0065],
];

/** Log-normal amount per type, fitted to PaySim's medians (CASH_IN ~143k, CASH_OUT ~147k, PAYMENT ~10k, TRANSFER ~486k, DEBIT ~3k). */
const AMOUNT: Readonly<Record<string, { median: number; sigma: number }>> = {
  CASH_OUT: { median: 147_000, sigma: 0.9 },
  PAYMENT: { median: 9_500, sigma: 0.95 },
  CASH_IN: { median: 143_000, sigma: 0.9 },
  TRANSFER: { median: 486_000, sigma: 1.1 },
  DEBIT: { median: 3_000, sigma: 1.0 },
};

/** PaySim's fraud rate is ~0.13% overall, only in TRANSFER and CASH_OUT; the sample over-samples it a little so a small file has some. */
const FRAUD_RATE = 0.004;
/** PaySim flags TRANSFERs above this amount (`isFlaggedFraud`). */
const FLAG_LIMIT = 200_000;
/** PaySim's `step` is an hour of a 30-day simulation (1..743). */
const MAX_STEP = 743;

/** mulberry32: a small seeded PRNG, good enough for sample data. */
const prng = (seed: number) => {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

export const generatePaysim = (rows: number, seed: number): string => {
  const random = prng(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const pickType = () => {
    let roll = random();
    for (const [type, share] of TYPE_MIX) {
      if (roll < share) return type;
      roll -= share;
    }
    return "CASH_OUT";
  };
  // A pool of customers and merchants so accounts repeat, as in the real data.
  const customer = () => `C${Math.floor(1e8 + random() * 9e8)}${Math.floor(random() * 10)}`;
  const customers = Array.from({ length: Math.max(10, Math.floor(rows / 3)) }, customer);
  const merchants = Array.from(
    { length: Math.max(10, Math.floor(rows / 10)) },
    () => `M${Math.floor(1e8 + random() * 9e8)}${Math.floor(random() * 10)}`,
  );
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)] as T;
  const money = (value: number) => value.toFixed(2);

  const lines = [PAYSIM_COLUMNS.join(",")];
  let step = 1;
  for (let row = 0; row < rows; row++) {
    if (random() < Math.max(rows, MAX_STEP) / rows / 20) step = Math.min(MAX_STEP, step + 1);
    const type = pickType();
    const shape = AMOUNT[type]!;
    const fraud = (type === "TRANSFER" || type === "CASH_OUT") && random() < FRAUD_RATE / 0.44;
    const amount = Math.max(1, Math.round(shape.median * Math.exp(shape.sigma * gaussian()) * 100) / 100);
    const orig = pick(customers);
    const dest = type === "PAYMENT" ? pick(merchants) : pick(customers);
    const oldOrig = type === "CASH_IN" ? random() * 2e6 : random() < 0.3 ? 0 : amount * (0.5 + random() * 3);
    const newOrig = type === "CASH_IN" ? oldOrig + amount : Math.max(0, oldOrig - amount);
    // PaySim leaves merchants' balances at 0.
    const oldDest = type === "PAYMENT" ? 0 : random() * 3e6;
    const newDest =
      type === "PAYMENT" ? 0 : type === "CASH_IN" ? Math.max(0, oldDest - amount) : oldDest + amount;
    const flagged = type === "TRANSFER" && fraud && amount > FLAG_LIMIT ? 1 : 0;
    lines.push(
      [
        step,
        type,
        money(amount),
        orig,
        money(oldOrig),
        money(newOrig),
        dest,
        money(oldDest),
        money(newDest),
        fraud ? 1 : 0,
        flagged,
      ].join(","),
    );
  }
  return `${lines.join("\n")}\n`;
};
