import { describe, expect, it } from "vitest";
import { generatePaysim } from "../../../../data/generate-paysim.ts";
import { mapPaysimRow, PAYSIM_COLUMNS, parsePaysim } from "./paysim.ts";

const base = { currency: "USD" as const, baseDate: new Date("2024-01-01T00:00:00Z") };

describe("PaySim mapping", () => {
  it("maps a row onto our model: account, merchant, minor units, time, metadata, risk flags", () => {
    const [row] = parsePaysim(
      `${PAYSIM_COLUMNS.join(",")}\n3,TRANSFER,250000.5,C123456789,0,0,C987654321,0,0,1,1\n`,
    );
    const mapped = mapPaysimRow(row!, base);
    expect(mapped.ok).toBe(true);
    if (!mapped.ok) return;
    expect(mapped.transaction).toMatchObject({
      accountId: "C123456789",
      merchantName: "C987654321",
      amount: "250000.5",
      amountMinor: 25000050n,
      occurredAt: new Date("2024-01-01T03:00:00Z"),
      metadata: { paysim_type: "TRANSFER", paysim_is_fraud: "1", paysim_is_flagged_fraud: "1" },
      riskFlags: ["PAYSIM_FRAUD", "PAYSIM_LARGE_TRANSFER"],
    });
  });

  it("derives the same transaction id from the same row (seeding is idempotent)", () => {
    const text = `${PAYSIM_COLUMNS.join(",")}\n1,PAYMENT,9839.64,C1231006815,170136,160296.36,M1979787155,0,0,0,0\n`;
    const a = mapPaysimRow(parsePaysim(text)[0]!, base);
    const b = mapPaysimRow(parsePaysim(text)[0]!, base);
    expect(a.ok && b.ok && a.transaction.transactionId === b.transaction.transactionId).toBe(true);
  });

  it("rounds amounts with more decimals than the currency on the digits, never a float", () => {
    const [row] = parsePaysim(`${PAYSIM_COLUMNS.join(",")}\n1,PAYMENT,0.125,C1,0,0,M1,0,0,0,0\n`);
    const mapped = mapPaysimRow(row!, base);
    expect(mapped.ok && mapped.transaction.amountMinor).toBe(13n);
  });

  it("refuses a file without the PaySim columns", () => {
    expect(() => parsePaysim("a,b,c\n1,2,3\n")).toThrow(/missing column/);
  });
});

describe("PaySim sample generator", () => {
  it("follows the data set's shape: type mix, merchants only for PAYMENT, fraud only in TRANSFER/CASH_OUT", () => {
    const rows = parsePaysim(generatePaysim(5000, 7));
    expect(rows).toHaveLength(5000);
    const share = (type: string) => rows.filter((r) => r.type === type).length / rows.length;
    expect(share("CASH_OUT")).toBeCloseTo(0.35, 1);
    expect(share("PAYMENT")).toBeCloseTo(0.34, 1);
    expect(share("CASH_IN")).toBeCloseTo(0.22, 1);
    expect(rows.filter((r) => r.type === "PAYMENT").every((r) => r.nameDest.startsWith("M"))).toBe(true);
    expect(
      rows.filter((r) => r.isFraud === "1").every((r) => r.type === "TRANSFER" || r.type === "CASH_OUT"),
    ).toBe(true);
    expect(rows.every((r) => mapPaysimRow(r, base).ok)).toBe(true);
    expect(generatePaysim(50, 7)).toBe(generatePaysim(50, 7));
  });
});
