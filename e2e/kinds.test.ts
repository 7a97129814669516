// Transaction kinds (issue 27) through HTTP against the three running apps, one pipeline for the file:
// each kind books its legs, refunds are decided against their original (partial, by either id, never
// past it, never another client's), two clients' accounts of one name are two ledger accounts, the
// gateway names a field that does not belong to a kind, and a PaySim sample lands as kinds with every
// balance equal to a sum the test computes from the CSV itself.

import { createHash, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { mapPaysimRow, parsePaysim } from "@ledgerline/cli/paysim";
import { idFromClientChosenId } from "@ledgerline/domain";
import { sql } from "@ledgerline/ledger-db";
import { publishFxRates } from "@ledgerline/processor";
import {
  assertLedgerInvariants,
  type Pipeline,
  REPO_ROOT,
  startPipeline,
  testEnvironment,
} from "@ledgerline/testkit";
import { Redacted } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** An API client of the gateway: its id and its key (ingest + read: it sees only its own transactions). */
interface Client {
  readonly id: string;
  readonly key: string;
}
const client = (id: string): Client => ({ id, key: `${id}-key-${randomUUID()}` });
const alpha = client("alpha");
const beta = client("beta");
const paysim = client("paysim");

type View = {
  transaction_id: string;
  type: string;
  status: string;
  account_id: string;
  counterparty_account_id: string | null;
  original_transaction_id: string | null;
  refunded_amount: string;
  refunded_amount_minor: string;
  rejection_reasons: { code: string; field: string }[] | null;
};

const FINAL = ["posted", "rejected", "dead_lettered"];

describe("transaction kinds end to end", () => {
  let pipeline: Pipeline;
  /** Every id a 202 gave: the ledger must hold exactly these at the end. */
  const accepted: string[] = [];

  beforeAll(async () => {
    pipeline = await startPipeline("kinds", undefined, {
      // The reference FX rates, so a EUR refund passes the processor and reaches the ledger's decision.
      beforeStart: async (namespace) => {
        await publishFxRates({
          connection: { bootstrapBrokers: testEnvironment().brokers, clientId: "kinds-fx" },
          registryUrl: Redacted.make(testEnvironment().registryUrl),
          names: namespace.names,
        });
      },
      env: {
        GATEWAY_API_KEYS: [alpha, beta, paysim].map((c) => `${c.id}:ingest+read:${sha256(c.key)}`).join(","),
      },
    });
  });
  afterAll(() => pipeline?.stop());

  const headers = (c: Client) => ({ Authorization: `Bearer ${c.key}`, "Content-Type": "application/json" });
  const post = (c: Client, path: string, body: unknown) =>
    fetch(`${pipeline.gatewayUrl}${path}`, {
      method: "POST",
      headers: headers(c),
      body: JSON.stringify(body),
    });

  /** POSTs one transaction, expects 202, returns its ledger id. */
  const submit = async (c: Client, body: Record<string, unknown>): Promise<string> => {
    const response = await post(c, "/v1/transactions", { currency: "USD", ...body });
    const answer = (await response.json()) as { transaction_id?: string };
    expect(response.status, JSON.stringify(answer)).toBe(202);
    accepted.push(answer.transaction_id!);
    return answer.transaction_id!;
  };

  const get = async (c: Client, id: string) => {
    const response = await fetch(`${pipeline.gatewayUrl}/v1/transactions/${id}`, { headers: headers(c) });
    return { status: response.status, body: (await response.json()) as View };
  };

  /** Polls the ledger until every id has its final status; returns id → status. */
  const settled = async (ids: readonly string[], timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rows = (await pipeline.database.pool.any(sql.unsafe`
        SELECT transaction_id::text AS id, status FROM transactions
        WHERE transaction_id = ANY(${sql.array(ids, "uuid")})`)) as readonly { id: string; status: string }[];
      const done = rows.filter((row) => FINAL.includes(row.status));
      if (done.length === ids.length) return new Map(done.map((row) => [row.id, row.status]));
      if (Date.now() > deadline)
        throw new Error(
          `${ids.length - done.length} of ${ids.length} not settled within ${timeoutMs} ms\n${pipeline.logs("ledger-sink").slice(-2_000)}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 150));
    }
  };

  const postingsOf = async (id: string) => {
    const rows = (await pipeline.database.pool.any(sql.unsafe`
      SELECT ledger_account, amount_minor FROM postings WHERE transaction_id = ${id}
      ORDER BY amount_minor`)) as readonly { ledger_account: string; amount_minor: bigint }[];
    return rows.map((row) => [row.ledger_account, row.amount_minor]);
  };

  /** Every USD balance (a missing account reads 0). */
  const balances = async () => {
    const rows = (await pipeline.database.pool.any(sql.unsafe`
      SELECT ledger_account, balance_minor FROM account_balances WHERE currency = 'USD'`)) as readonly {
      ledger_account: string;
      balance_minor: bigint;
    }[];
    const map = new Map(rows.map((row) => [row.ledger_account, row.balance_minor]));
    return (account: string) => map.get(account) ?? 0n;
  };

  it("each kind posts its legs, and GET shows its type", async () => {
    const was = await balances();
    const ids = {
      cash_in: await submit(alpha, { type: "cash_in", account_id: "ACC-1", amount: "100.00" }),
      payment: await submit(alpha, {
        type: "payment",
        account_id: "ACC-1",
        amount: "12.34",
        merchant_name: "Kinds  corner shop",
      }),
      // No type: a payment, as before kinds existed.
      untyped: await submit(alpha, {
        account_id: "ACC-1",
        amount: "1.00",
        merchant_name: "Kinds corner shop",
      }),
      transfer: await submit(alpha, {
        type: "transfer",
        account_id: "ACC-1",
        counterparty_account_id: "ACC-2",
        amount: 20,
      }),
      cash_out: await submit(alpha, {
        type: "cash_out",
        account_id: "ACC-1",
        amount: "5.00",
        merchant_name: "ATM 12",
      }),
      debit: await submit(alpha, { type: "debit", account_id: "ACC-1", amount: "7.50" }),
    };
    const statuses = await settled(Object.values(ids));
    expect(
      [...statuses.values()].every((s) => s === "posted"),
      JSON.stringify([...statuses]),
    ).toBe(true);
    // A refund names a posted original (here by the ledger id its 202 gave).
    const refund = await submit(alpha, {
      type: "refund",
      account_id: "ACC-1",
      amount: "2.34",
      original_transaction_id: ids.payment,
    });
    expect((await settled([refund])).get(refund)).toBe("posted");

    const customer = "customer:alpha:ACC-1";
    const merchant = "merchant:KINDS CORNER SHOP";
    // Postings sorted by amount: the debited leg first.
    expect(await postingsOf(ids.cash_in)).toEqual([
      ["system:cash", -10000n],
      [customer, 10000n],
    ]);
    expect(await postingsOf(ids.payment)).toEqual([
      [customer, -1234n],
      [merchant, 1234n],
    ]);
    expect(await postingsOf(ids.untyped)).toEqual([
      [customer, -100n],
      [merchant, 100n],
    ]);
    expect(await postingsOf(ids.transfer)).toEqual([
      [customer, -2000n],
      ["customer:alpha:ACC-2", 2000n],
    ]);
    expect(await postingsOf(ids.cash_out)).toEqual([
      [customer, -500n],
      ["system:cash", 500n],
    ]);
    expect(await postingsOf(ids.debit)).toEqual([
      [customer, -750n],
      ["system:bank-transfers-out", 750n],
    ]);
    expect(await postingsOf(refund)).toEqual([
      [merchant, -234n],
      [customer, 234n],
    ]);

    const now = await balances();
    const delta = (account: string) => now(account) - was(account);
    expect(delta(customer)).toBe(10000n - 1234n - 100n - 2000n - 500n - 750n + 234n);
    expect(delta("customer:alpha:ACC-2")).toBe(2000n);
    expect(delta(merchant)).toBe(1234n + 100n - 234n);
    expect(delta("system:cash")).toBe(-10000n + 500n);
    expect(delta("system:bank-transfers-out")).toBe(750n);

    for (const [type, id] of Object.entries(ids)) {
      const { status, body } = await get(alpha, id);
      expect(status).toBe(200);
      expect(body.type).toBe(type === "untyped" ? "payment" : type);
      expect(body.status).toBe("posted");
    }
    expect((await get(alpha, ids.transfer)).body.counterparty_account_id).toBe("ACC-2");
    expect((await get(alpha, ids.payment)).body).toMatchObject({
      counterparty_account_id: null,
      original_transaction_id: null,
      refunded_amount: "2.34",
      refunded_amount_minor: "234",
    });
    expect((await get(alpha, refund)).body).toMatchObject({
      type: "refund",
      original_transaction_id: ids.payment,
      refunded_amount: "0.00",
    });
  });

  it("refunds: a partial one, another up to the full amount (by the client-chosen id), then one too many", async () => {
    const chosen = randomUUID();
    const original = await submit(alpha, {
      type: "payment",
      account_id: "ACC-R",
      amount: "10.00",
      merchant_name: "Refund Shop",
      transaction_id: chosen,
    });
    expect(original).toBe(idFromClientChosenId("alpha", chosen));
    await settled([original]);
    // One account, one partition: the three refunds reach the ledger in this order.
    const partial = await submit(alpha, {
      type: "refund",
      account_id: "ACC-R",
      amount: "6.00",
      original_transaction_id: original,
    });
    const rest = await submit(alpha, {
      type: "refund",
      account_id: "ACC-R",
      amount: "4.00",
      original_transaction_id: chosen,
    });
    const tooMany = await submit(alpha, {
      type: "refund",
      account_id: "ACC-R",
      amount: "0.01",
      original_transaction_id: original,
    });
    const statuses = await settled([partial, rest, tooMany]);
    expect([partial, rest, tooMany].map((id) => statuses.get(id))).toEqual(["posted", "posted", "rejected"]);
    expect((await get(alpha, rest)).body.original_transaction_id).toBe(original);
    const refused = (await get(alpha, tooMany)).body;
    expect(refused.rejection_reasons).toEqual([
      expect.objectContaining({ code: "REFUND_EXCEEDS_ORIGINAL", field: "original_transaction_id" }),
    ]);
    // The original by the id the client chose: refunded in full.
    expect((await get(alpha, chosen)).body).toMatchObject({
      transaction_id: original,
      refunded_amount: "10.00",
      refunded_amount_minor: "1000",
    });
    const now = await balances();
    expect(now("customer:alpha:ACC-R")).toBe(0n);
    expect(now("merchant:REFUND SHOP")).toBe(0n);
  });

  it("a refund of another client's transaction is ORIGINAL_NOT_FOUND, by either id", async () => {
    const chosen = randomUUID();
    const original = await submit(alpha, {
      account_id: "ACC-X",
      amount: "5.00",
      merchant_name: "Other Client Shop",
      transaction_id: chosen,
    });
    await settled([original]);
    const byLedgerId = await submit(beta, {
      type: "refund",
      account_id: "ACC-X",
      amount: "1.00",
      original_transaction_id: original,
    });
    const byChosenId = await submit(beta, {
      type: "refund",
      account_id: "ACC-X",
      amount: "1.00",
      original_transaction_id: chosen,
    });
    const statuses = await settled([byLedgerId, byChosenId]);
    expect(statuses.get(byLedgerId)).toBe("rejected");
    expect(statuses.get(byChosenId)).toBe("rejected");
    for (const [id, named] of [
      [byLedgerId, original],
      [byChosenId, chosen],
    ] as const) {
      const { body } = await get(beta, id);
      expect(body.rejection_reasons).toEqual([
        expect.objectContaining({ code: "ORIGINAL_NOT_FOUND", field: "original_transaction_id" }),
      ]);
      // A refund not found keeps the id it sent.
      expect(body.original_transaction_id).toBe(named);
    }
    expect((await get(alpha, original)).body.refunded_amount_minor).toBe("0");
    // Beta cannot read alpha's transaction either.
    expect((await get(beta, original)).status).toBe(404);
    expect(await postingsOf(byLedgerId)).toEqual([]);
  });

  it("a refund its original cannot take is rejected with the ledger's reason", async () => {
    const cashIn = await submit(alpha, { type: "cash_in", account_id: "ACC-N", amount: "5.00" });
    const payment = await submit(alpha, {
      account_id: "ACC-N",
      amount: "5.00",
      merchant_name: "Reason Shop",
    });
    // Accepted by the gateway, rejected by the processor (above its largest amount): never posted.
    const unposted = await submit(alpha, {
      account_id: "ACC-N",
      amount: "2000000000.00",
      merchant_name: "Reason Shop",
    });
    const partial = await submit(alpha, {
      type: "refund",
      account_id: "ACC-N",
      amount: "1.00",
      original_transaction_id: payment,
    });
    const originals = await settled([cashIn, payment, unposted, partial]);
    expect([cashIn, payment, unposted, partial].map((id) => originals.get(id))).toEqual([
      "posted",
      "posted",
      "rejected",
      "posted",
    ]);
    const refund = (body: Record<string, unknown>) =>
      submit(alpha, { type: "refund", account_id: "ACC-N", amount: "1.00", ...body });
    const cases = [
      [await refund({ original_transaction_id: cashIn }), "ORIGINAL_NOT_REFUNDABLE"],
      [await refund({ original_transaction_id: partial }), "ORIGINAL_NOT_REFUNDABLE"],
      [await refund({ original_transaction_id: unposted }), "ORIGINAL_NOT_POSTED"],
      [await refund({ original_transaction_id: payment, account_id: "ACC-N2" }), "REFUND_ACCOUNT_MISMATCH"],
      [await refund({ original_transaction_id: payment, currency: "EUR" }), "REFUND_CURRENCY_MISMATCH"],
      [await refund({ original_transaction_id: randomUUID() }), "ORIGINAL_NOT_FOUND"],
    ] as const;
    const statuses = await settled(cases.map(([id]) => id));
    for (const [id, code] of cases) {
      expect(statuses.get(id), code).toBe("rejected");
      expect((await get(alpha, id)).body.rejection_reasons, code).toEqual([
        expect.objectContaining({ code, field: "original_transaction_id" }),
      ]);
      expect(await postingsOf(id)).toEqual([]);
    }
    // Only the partial refund counted.
    expect((await get(alpha, payment)).body.refunded_amount_minor).toBe("100");
    expect((await get(alpha, cashIn)).body.refunded_amount_minor).toBe("0");
  });

  it("client A's ACC-1 and client B's ACC-1 are two ledger accounts", async () => {
    const ids = [
      await submit(alpha, { type: "cash_in", account_id: "ACC-SAME", amount: "30.00" }),
      await submit(beta, { type: "cash_in", account_id: "ACC-SAME", amount: "45.00" }),
      await submit(beta, {
        type: "transfer",
        account_id: "ACC-SAME",
        counterparty_account_id: "ACC-OTHER",
        amount: "5.00",
      }),
    ];
    const statuses = await settled(ids);
    expect(ids.map((id) => statuses.get(id))).toEqual(["posted", "posted", "posted"]);
    const now = await balances();
    expect(now("customer:alpha:ACC-SAME")).toBe(3000n);
    expect(now("customer:beta:ACC-SAME")).toBe(4000n);
    expect(now("customer:beta:ACC-OTHER")).toBe(500n);
    expect(now("customer:alpha:ACC-OTHER")).toBe(0n);
    const accounts = (await pipeline.database.pool.anyFirst(sql.unsafe`
      SELECT ledger_account FROM account_balances WHERE ledger_account LIKE '%:ACC-SAME' ORDER BY 1`)) as string[];
    expect(accounts).toEqual(["customer:alpha:ACC-SAME", "customer:beta:ACC-SAME"]);
  });

  it("a field that does not belong to the kind is a 422 naming it", async () => {
    const cases = [
      [
        {
          type: "cash_in",
          account_id: "ACC-1",
          amount: "1.00",
          currency: "USD",
          counterparty_account_id: "ACC-2",
        },
        "counterparty_account_id",
      ],
      [
        {
          type: "payment",
          account_id: "ACC-1",
          amount: "1.00",
          currency: "USD",
          merchant_name: "Shop",
          original_transaction_id: randomUUID(),
        },
        "original_transaction_id",
      ],
      [
        {
          type: "debit",
          account_id: "ACC-1",
          amount: "1.00",
          currency: "USD",
          original_transaction_id: randomUUID(),
        },
        "original_transaction_id",
      ],
    ] as const;
    for (const [body, field] of cases) {
      const response = await post(alpha, "/v1/transactions", body);
      expect(response.status).toBe(422);
      expect(response.headers.get("content-type")).toContain("application/problem+json");
      const problem = (await response.json()) as {
        errors: { field: string; code: string; message: string }[];
      };
      expect(problem.errors).toEqual([
        expect.objectContaining({
          field,
          code: "NOT_ALLOWED_FOR_TYPE",
          message: expect.stringContaining(body.type),
        }),
      ]);
    }
  });

  it("a PaySim sample with every type lands as kinds, every balance the CSV's own sum", async () => {
    const csv = readFileSync(`${REPO_ROOT}/data/paysim-sample.csv`, "utf8");
    // The first rows up to and including the second DEBIT (PaySim's rarest type): every type, a few
    // hundred rows, some accounts seen more than once.
    const lines = csv.trim().split("\n");
    const header = lines[0]!.split(",");
    const col = (name: string) => header.indexOf(name);
    let debits = 0;
    const slice: string[] = [];
    for (const line of lines.slice(1)) {
      slice.push(line);
      if (line.split(",")[col("type")] === "DEBIT" && ++debits === 2) break;
    }
    const cells = slice.map((line) => line.split(","));
    expect(new Set(cells.map((c) => c[col("type")]))).toEqual(
      new Set(["PAYMENT", "TRANSFER", "CASH_IN", "CASH_OUT", "DEBIT"]),
    );

    // What each account must end at, from the CSV's own columns (not the code under test).
    const expected = new Map<string, bigint>();
    const add = (account: string, minor: bigint) =>
      expected.set(account, (expected.get(account) ?? 0n) + minor);
    const minorOf = (amount: string) => {
      const [whole, fraction = ""] = amount.split(".");
      expect(fraction.length).toBeLessThanOrEqual(2);
      return BigInt(whole!) * 100n + BigInt(fraction.padEnd(2, "0"));
    };
    // A transfer to its own account is refused (SAME_ACCOUNT); the slice holds none, so every row posts.
    expect(
      cells.filter((c) => c[col("type")] === "TRANSFER" && c[col("nameOrig")] === c[col("nameDest")]),
    ).toEqual([]);
    for (const c of cells) {
      const amount = minorOf(c[col("amount")]!);
      const orig = `customer:paysim:${c[col("nameOrig")]}`;
      const dest = c[col("nameDest")]!;
      const [debit, credit] = {
        PAYMENT: [orig, `merchant:${dest.toUpperCase()}`],
        TRANSFER: [orig, `customer:paysim:${dest}`],
        CASH_IN: ["system:cash", orig],
        CASH_OUT: [orig, "system:cash"],
        DEBIT: [orig, "system:bank-transfers-out"],
      }[c[col("type")]!]!;
      add(debit!, -amount);
      add(credit!, amount);
    }

    // The rows as the PaySim tools map them, sent through the batch endpoint.
    const items = parsePaysim(`${lines[0]}\n${slice.join("\n")}\n`).map((row) => {
      const mapped = mapPaysimRow(row, { currency: "USD", baseDate: new Date("2024-01-01T00:00:00Z") });
      if (!mapped.ok) throw new Error(`line ${mapped.line}: ${mapped.message}`);
      const t = mapped.transaction;
      return {
        type: t.type,
        account_id: t.accountId,
        amount: t.amount,
        currency: t.currency,
        ...(t.merchantName ? { merchant_name: t.merchantName } : {}),
        ...(t.counterpartyAccountId ? { counterparty_account_id: t.counterpartyAccountId } : {}),
        transaction_id: t.transactionId,
        occurred_at: t.occurredAt.toISOString(),
        metadata: t.metadata,
      };
    });
    expect(items.map((item) => item.type)).toEqual(cells.map((c) => c[col("type")]!.toLowerCase()));

    const was = await balances();
    const response = await post(paysim, "/v1/transactions:batch", { items });
    const body = (await response.json()) as { accepted: number; results: { transaction_id?: string }[] };
    expect(response.status, JSON.stringify(body).slice(0, 2_000)).toBe(202);
    const ids = body.results.map((r) => r.transaction_id!);
    accepted.push(...ids);
    const statuses = await settled(ids);
    const notPosted = [...statuses].filter(([, status]) => status !== "posted");
    expect(notPosted).toEqual([]);

    // Every account the sample touches holds exactly the CSV's sum; the system accounts, shared with the
    // other tests of this file, moved by it.
    const now = await balances();
    const wrong = [...expected]
      .map(([account, sum]) => {
        const system = account.startsWith("system:");
        const actual = system ? now(account) - was(account) : now(account);
        return { account, expected: sum, actual };
      })
      .filter((row) => row.actual !== row.expected);
    expect(wrong).toEqual([]);
    // And no account of the paysim client that the CSV does not name.
    const clientAccounts = (await pipeline.database.pool.anyFirst(sql.unsafe`
      SELECT ledger_account FROM account_balances WHERE ledger_account LIKE 'customer:paysim:%'`)) as string[];
    expect(clientAccounts.filter((account) => !expected.has(account))).toEqual([]);
  });

  it("ends with the ledger's invariants", async () => {
    await assertLedgerInvariants(pipeline.database.pool, accepted, expect, pipeline.posted);
  });
});
