import { describe, expect, it } from "vitest";
import { generatePaysim } from "./generate.ts";
import { mapPaysimRow, PAYSIM_COLUMNS, type PaysimRow, parsePaysim } from "./paysim.ts";

const base = { currency: "USD" as const, baseDate: new Date("2024-01-01T00:00:00Z") };

describe("PaySim mapping", () => {
  it("maps a row onto our model: kind, account, counterparty, minor units, time, metadata, risk flags", () => {
    const [row] = parsePaysim(
      `${PAYSIM_COLUMNS.join(",")}\n3,TRANSFER,250000.5,C123456789,0,0,C987654321,0,0,1,1\n`,
    );
    const mapped = mapPaysimRow(row!, base);
    expect(mapped.ok).toBe(true);
    if (!mapped.ok) return;
    expect(mapped.transaction).toMatchObject({
      type: "transfer",
      accountId: "C123456789",
      counterpartyAccountId: "C987654321",
      merchantName: "",
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

  // nameOrig is always the account (its balance goes up for CASH_IN, down for the others); nameDest is
  // the payment's merchant, the transfer's counterparty, and only metadata for the others.
  it.each([
    ["PAYMENT", "M1979787155", "payment", "M1979787155", null, undefined],
    ["TRANSFER", "C553264065", "transfer", "", "C553264065", undefined],
    ["CASH_IN", "C1360767589", "cash_in", "", null, "C1360767589"],
    ["CASH_OUT", "C38997010", "cash_out", "", null, "C38997010"],
    ["DEBIT", "C195600860", "debit", "", null, "C195600860"],
  ] as const)(
    "%s → %s: account nameOrig, the kind's fields from nameDest",
    (paysimType, nameDest, type, merchantName, counterpartyAccountId, nameDestMetadata) => {
      const [row] = parsePaysim(
        `${PAYSIM_COLUMNS.join(",")}\n7,${paysimType},181.00,C840083671,181,0,${nameDest},21182,0,0,0\n`,
      );
      const mapped = mapPaysimRow(row!, base);
      expect(mapped.ok).toBe(true);
      if (!mapped.ok) return;
      expect(mapped.transaction).toMatchObject({
        type,
        accountId: "C840083671",
        merchantName,
        counterpartyAccountId,
        amountMinor: 18100n,
      });
      expect(mapped.transaction.metadata).toEqual({
        paysim_type: paysimType,
        paysim_step: "7",
        paysim_is_fraud: "0",
        paysim_is_flagged_fraud: "0",
        ...(nameDestMetadata === undefined ? {} : { paysim_name_dest: nameDestMetadata }),
      });
    },
  );

  it("refuses a type PaySim does not have, by line", () => {
    const [row] = parsePaysim(`${PAYSIM_COLUMNS.join(",")}\n1,REFUND,10.00,C1,0,0,C2,0,0,0,0\n`);
    expect(mapPaysimRow(row!, base)).toEqual({
      ok: false,
      line: 2,
      message: "type REFUND is not one of PaySim's (PAYMENT, TRANSFER, CASH_IN, CASH_OUT, DEBIT)",
    });
  });

  it("numbers rows by their line in the file (ids derive from it): blank lines count, CRLF and a BOM too", () => {
    const header = ` ${PAYSIM_COLUMNS.join(" , ")}`;
    const text = `\uFEFF${header}\r\n1,PAYMENT,1.00,C1,0,0,M1,0,0,0,0\r\n\r\n2,DEBIT,2.00,C2,0,0,C3,0,0,0,0\r\n`;
    const rows: PaysimRow[] = parsePaysim(text);
    expect(rows.map((r) => [r.line, r.step, r.type, r.nameOrig])).toEqual([
      [2, "1", "PAYMENT", "C1"],
      [4, "2", "DEBIT", "C2"],
    ]);
  });

  it("keeps a short row, its missing cells empty, for the mapping to refuse by line", () => {
    const [row] = parsePaysim(`${PAYSIM_COLUMNS.join(",")}\n1,PAYMENT,1.00\n`);
    expect(row).toMatchObject({ line: 2, nameOrig: "", isFlaggedFraud: "" });
  });

  it("finds the columns by name, in any order", () => {
    const reversed = [...PAYSIM_COLUMNS].reverse();
    const [row] = parsePaysim(`${reversed.join(",")}\n0,1,0,0,M9,5,6,C8,12.50,CASH_OUT,3\n`);
    expect(row).toMatchObject({ step: "3", type: "CASH_OUT", amount: "12.50", nameOrig: "C8", isFraud: "1" });
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
