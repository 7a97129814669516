// Seed 002's scenario through HTTP against the three running apps: POST a transaction, get 202 at
// once, and within seconds see it posted in GET /v1/transactions/{id} and Completed in GET /reports.
import { sql } from "@ledgerline/ledger-db";
import { type Pipeline, startPipeline } from "@ledgerline/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const auth = { Authorization: "Bearer dev-key-change-me", "Content-Type": "application/json" };

const poll = async <T>(
  what: string,
  attempt: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> => {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await attempt();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what}: not reached within ${timeoutMs} ms`);
};

describe("end to end: gateway → processor → ledger sink", () => {
  let pipeline: Pipeline;
  beforeAll(async () => {
    pipeline = await startPipeline("e2e");
  });
  afterAll(() => pipeline?.stop());

  const post = (path: string, body: unknown) =>
    fetch(`${pipeline.gatewayUrl}${path}`, { method: "POST", headers: auth, body: JSON.stringify(body) });

  it.each(["/v1/transactions", "/transaction"])(
    "POST %s → 202 at once → posted and Completed",
    async (path) => {
      const started = Date.now();
      const response = await post(path, {
        account_id: "ACC-7890",
        amount: 1250.75,
        currency: "USD",
        merchant_name: "Chicago Retail Hub",
      });
      expect(response.status).toBe(202);
      const accepted = (await response.json()) as { transaction_id: string; status: string };
      expect(accepted.status).toBe("accepted");
      expect(response.headers.get("location")).toContain(accepted.transaction_id);
      expect(Date.now() - started).toBeLessThan(5_000);

      const posted = await poll("transaction posted", async () => {
        const status = await fetch(`${pipeline.gatewayUrl}/v1/transactions/${accepted.transaction_id}`, {
          headers: auth,
        });
        if (status.status !== 200) return undefined;
        const body = (await status.json()) as { status: string; amount_minor?: string; amount?: string };
        return body.status === "posted" ? body : undefined;
      });
      expect(posted.status).toBe("posted");

      const report = (await (await fetch(`${pipeline.gatewayUrl}/reports`, { headers: auth })).json()) as {
        rows: { transaction_id: string; status: string }[];
      };
      const row = report.rows.find((t) => t.transaction_id === accepted.transaction_id);
      expect(row?.status).toBe("Completed");
    },
  );

  it("an invalid transaction ends up rejected with its reasons", async () => {
    const response = await post("/v1/transactions", {
      // The gateway accepts dots in account ids; the processor's ledger format does not.
      account_id: "ACC.7890",
      amount: "10.00",
      currency: "USD",
      merchant_name: "Somewhere",
    });
    expect(response.status).toBe(202);
    const { transaction_id } = (await response.json()) as { transaction_id: string };
    const fate = await poll("transaction rejected", async () => {
      const status = await fetch(`${pipeline.gatewayUrl}/v1/transactions/${transaction_id}`, {
        headers: auth,
      });
      if (status.status !== 200) return undefined;
      return (await status.json()) as { status: string; rejection_reasons?: { code: string }[] };
    });
    expect(fate.status).toBe("rejected");
    expect(fate.rejection_reasons?.map((reason) => reason.code)).toContain("ACCOUNT_ID_FORMAT");
  });
});

describe("the apps' Postgres roles", () => {
  it("the gateway and the sink connect as their runtime roles, not as the tables' owner", async () => {
    const pipeline = await startPipeline("e2e-roles");
    try {
      const response = await fetch(`${pipeline.gatewayUrl}/v1/transactions`, {
        method: "POST",
        headers: auth,
        body: JSON.stringify({ account_id: "ACC-1", amount: "1.00", currency: "USD", merchant_name: "Shop" }),
      });
      const { transaction_id } = (await response.json()) as { transaction_id: string };
      // The GET reads through the gateway's pool, and it reads the row the sink wrote.
      await poll("posted", async () => {
        const status = await fetch(`${pipeline.gatewayUrl}/v1/transactions/${transaction_id}`, {
          headers: auth,
        });
        return status.status === 200 ? true : undefined;
      });
      const users = (await pipeline.database.pool.anyFirst(
        sql.unsafe`SELECT DISTINCT usename FROM pg_stat_activity WHERE datname = current_database() AND usename LIKE 'ledgerline%'`,
      )) as readonly string[];
      expect(users).toEqual(expect.arrayContaining(["ledgerline_gateway", "ledgerline_sink"]));
    } finally {
      await pipeline.stop();
    }
  });
});
