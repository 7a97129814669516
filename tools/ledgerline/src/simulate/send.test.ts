import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Redacted } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mapPaysimRow, PAYSIM_COLUMNS, type PaysimTransaction, parsePaysim } from "../paysim/paysim.ts";
import { requestBody, sendAll } from "./send.ts";

const transactions = (lines: string): PaysimTransaction[] =>
  parsePaysim(`${PAYSIM_COLUMNS.join(",")}\n${lines}`).map((row) => {
    const mapped = mapPaysimRow(row, { currency: "USD", baseDate: new Date("2024-01-01T00:00:00Z") });
    if (!mapped.ok) throw new Error(mapped.message);
    return mapped.transaction;
  });

const [payment, transfer, cashIn, cashOut, debit] = transactions(
  [
    "1,PAYMENT,9839.64,C1231006815,170136,160296.36,M1979787155,0,0,0,0",
    "1,TRANSFER,181.00,C1305486145,181,0,C553264065,0,0,1,0",
    "1,CASH_IN,500.00,C1,0,500,C2,0,0,0,0",
    "1,CASH_OUT,181.00,C840083671,181,0,C38997010,21182,0,1,0",
    "1,DEBIT,5337.77,C712410124,41720,36382.23,C195600860,41898,40348.79,0,0",
  ].join("\n"),
);

describe("simulate's request bodies", () => {
  it("a payment names its merchant", () => {
    const body = requestBody(payment!, "id-1");
    expect(body).toMatchObject({
      transaction_id: "id-1",
      type: "payment",
      account_id: "C1231006815",
      amount: "9839.64",
      merchant_name: "M1979787155",
    });
    expect(body).not.toHaveProperty("counterparty_account_id");
  });

  it("a transfer names its counterparty and no merchant", () => {
    const body = requestBody(transfer!, "id-2");
    expect(body).toMatchObject({
      type: "transfer",
      account_id: "C1305486145",
      counterparty_account_id: "C553264065",
    });
    expect(body).not.toHaveProperty("merchant_name");
  });

  it.each([
    [cashIn!, "cash_in"],
    [cashOut!, "cash_out"],
    [debit!, "debit"],
  ])("%# the cash kinds and debit send neither merchant nor counterparty", (row, type) => {
    const body = requestBody(row, "id-3");
    expect(body.type).toBe(type);
    expect(body).not.toHaveProperty("merchant_name");
    expect(body).not.toHaveProperty("counterparty_account_id");
    expect(body.metadata).toMatchObject({ paysim_name_dest: row.metadata.paysim_name_dest });
  });
});

describe("sendAll", () => {
  const received: unknown[] = [];
  let server: Server;
  let gatewayUrl: string;
  beforeAll(async () => {
    server = createServer((request, response) => {
      let text = "";
      request.on("data", (chunk) => {
        text += chunk;
      });
      request.on("end", () => {
        const body = JSON.parse(text) as { transaction_id: string };
        received.push(body);
        response.writeHead(202, { "content-type": "application/json" });
        response.end(JSON.stringify({ transaction_id: body.transaction_id, status: "accepted" }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    gatewayUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("takes rows from a stream shared by its senders, and stops when the rows end", async () => {
    received.length = 0;
    const rows = (async function* () {
      yield* [payment!, transfer!, cashIn!, cashOut!, debit!];
    })();
    const outcomes: string[] = [];
    await sendAll({
      gatewayUrl,
      apiKey: Redacted.make("test"),
      rows,
      rate: 0,
      count: 100,
      concurrency: 4,
      shouldStop: () => false,
      onResult: (result) => outcomes.push(result.outcome),
    });
    expect(outcomes).toEqual(Array(5).fill("accepted"));
    expect(received.map((body) => (body as { type: string }).type).sort()).toEqual(
      ["cash_in", "cash_out", "debit", "payment", "transfer"].sort(),
    );
  });

  it("stops at the count, leaving the rest of the rows unread", async () => {
    received.length = 0;
    let pulled = 0;
    const rows = (async function* () {
      for (;;) {
        pulled += 1;
        yield payment!;
      }
    })();
    await sendAll({
      gatewayUrl,
      apiKey: Redacted.make("test"),
      rows,
      rate: 0,
      count: 7,
      concurrency: 3,
      shouldStop: () => false,
      onResult: () => undefined,
    });
    expect(received).toHaveLength(7);
    expect(pulled).toBe(7);
  });
});
