// GET /v1/accounts/{account_id} on the real stack: a read key sees its own client's account and no
// other's, an ops key names the client, balances are exact in each currency's exponent, and the
// gateway's runtime role may read them.
import { sql } from "@ledgerline/ledger-db";
import { testEnvironment, withRole } from "@ledgerline/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseApiKeys, sha256Hex } from "../src/access/apiKeys.ts";
import { buildApp } from "../src/app.ts";
import { gatewayConfigFrom } from "../src/Config.ts";
import { startGateway } from "../src/layers.ts";
import { type Harness, startHarness } from "./harness.ts";

const KEYS = {
  acme: "acme-key-1",
  globex: "globex-read-key",
  pump: "pump-ingest-only-key",
  ops: "ops-key-1",
  acmeOps: "acme-read-and-ops-key",
};
const CONFIG = [
  `acme:ingest+read:${sha256Hex(KEYS.acme)}`,
  `globex:read:${sha256Hex(KEYS.globex)}`,
  `pump:ingest:${sha256Hex(KEYS.pump)}`,
  `ops-team:ops:${sha256Hex(KEYS.ops)}`,
  `acme:read+ops:${sha256Hex(KEYS.acmeOps)}`,
].join(",");

const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

type Account = {
  account_id: string;
  client_id: string;
  ledger_account: string;
  balances: { currency: string; balance: string; balance_minor: string; updated_at: string }[];
  last_posting_at: string;
};

describe("GET /v1/accounts/{account_id}", () => {
  let h: Harness;
  beforeAll(async () => {
    const parsed = parseApiKeys(CONFIG);
    if (parsed.kind !== "keys") throw new Error(parsed.problem);
    h = await startHarness("gw-accounts", { apiKeys: parsed.keys, developmentKey: false });
    // What the sink's balance upsert leaves behind (this test owns its schema).
    const balances = [
      ["customer:acme:ACC-1", "USD", -125075n, "2026-01-02T03:04:05.678Z"],
      ["customer:acme:ACC-1", "JPY", 500n, "2026-01-03T00:00:00.000Z"],
      ["customer:acme:ACC-1", "BHD", 1234n, "2026-01-01T00:00:00.000Z"],
      ["customer:acme:ACC-ONLY-ACME", "BHD", -5n, "2026-01-01T00:00:00.000Z"],
      ["customer:globex:ACC-1", "USD", 100n, "2026-02-01T00:00:00.000Z"],
      ["merchant:SHOP", "USD", 125075n, "2026-01-02T03:04:05.678Z"],
    ] as const;
    for (const [account, currency, minor, at] of balances) {
      await h.db.pool.query(sql.unsafe`
        INSERT INTO account_balances (ledger_account, currency, balance_minor, updated_at)
        VALUES (${account}, ${currency}, ${minor}, ${at}::timestamptz)`);
    }
  });
  afterAll(() => h?.close());

  const get = (path: string, headers: Record<string, string>) => h.app.request(path, { headers });
  const account = async (path: string, key: string) => {
    const response = await get(path, bearer(key));
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as Account;
  };

  it("a read key sees its own client's account, exact in each currency's exponent", async () => {
    expect(await account("/v1/accounts/ACC-1", KEYS.acme)).toEqual({
      account_id: "ACC-1",
      client_id: "acme",
      ledger_account: "customer:acme:ACC-1",
      balances: [
        { currency: "BHD", balance: "1.234", balance_minor: "1234", updated_at: "2026-01-01T00:00:00.000Z" },
        { currency: "JPY", balance: "500", balance_minor: "500", updated_at: "2026-01-03T00:00:00.000Z" },
        {
          currency: "USD",
          balance: "-1250.75",
          balance_minor: "-125075",
          updated_at: "2026-01-02T03:04:05.678Z",
        },
      ],
      last_posting_at: "2026-01-03T00:00:00.000Z",
    });
    expect((await account("/v1/accounts/ACC-ONLY-ACME", KEYS.acme)).balances).toEqual([
      { currency: "BHD", balance: "-0.005", balance_minor: "-5", updated_at: "2026-01-01T00:00:00.000Z" },
    ]);
    // Naming its own client is the same request.
    expect((await account("/v1/accounts/ACC-1?client_id=acme", KEYS.acme)).ledger_account).toBe(
      "customer:acme:ACC-1",
    );
  });

  it("another client's account is a 404 for a read key, and naming another client a 403", async () => {
    // globex's own ACC-1 is another account than acme's.
    expect(await account("/v1/accounts/ACC-1", KEYS.globex)).toMatchObject({
      client_id: "globex",
      ledger_account: "customer:globex:ACC-1",
      balances: [{ currency: "USD", balance: "1.00", balance_minor: "100" }],
    });
    const hidden = await get("/v1/accounts/ACC-ONLY-ACME", bearer(KEYS.globex));
    expect(hidden.status).toBe(404);
    expect(hidden.headers.get("content-type")).toContain("application/problem+json");
    expect(await hidden.text()).not.toContain("acme");
    const named = await get("/v1/accounts/ACC-ONLY-ACME?client_id=acme", bearer(KEYS.globex));
    expect(named.status).toBe(403);
    expect(await named.text()).not.toContain("-0.005");
    // An account nobody ever posted on, and names that are not customer accounts.
    expect((await get("/v1/accounts/ACC-NEVER", bearer(KEYS.acme))).status).toBe(404);
    expect((await get("/v1/accounts/SHOP", bearer(KEYS.acme))).status).toBe(404);
  });

  it("an ops key must name the client: 422 without client_id, the client's account with it", async () => {
    const without = await get("/v1/accounts/ACC-1", bearer(KEYS.ops));
    expect(without.status).toBe(422);
    expect(without.headers.get("content-type")).toContain("application/problem+json");
    expect(await without.json()).toMatchObject({
      status: 422,
      errors: [{ field: "client_id", code: "REQUIRED" }],
    });
    expect(await account("/v1/accounts/ACC-ONLY-ACME?client_id=acme", KEYS.ops)).toMatchObject({
      client_id: "acme",
      ledger_account: "customer:acme:ACC-ONLY-ACME",
      balances: [{ currency: "BHD", balance: "-0.005" }],
    });
    expect((await account("/v1/accounts/ACC-1?client_id=globex", KEYS.ops)).balances).toEqual([
      { currency: "USD", balance: "1.00", balance_minor: "100", updated_at: "2026-02-01T00:00:00.000Z" },
    ]);
    expect((await get("/v1/accounts/ACC-ONLY-ACME?client_id=globex", bearer(KEYS.ops))).status).toBe(404);
  });

  it("a key with read and ops (as the development key) means its own client unless it names another", async () => {
    expect((await account("/v1/accounts/ACC-1", KEYS.acmeOps)).ledger_account).toBe("customer:acme:ACC-1");
    expect((await account("/v1/accounts/ACC-1?client_id=globex", KEYS.acmeOps)).ledger_account).toBe(
      "customer:globex:ACC-1",
    );
  });

  it("refuses bad ids, missing keys and keys without a read scope", async () => {
    const bad = await get("/v1/accounts/ACC%201", bearer(KEYS.acme));
    expect(bad.status).toBe(422);
    expect(await bad.json()).toMatchObject({ errors: [{ field: "account_id" }] });
    const badClient = await get("/v1/accounts/ACC-1?client_id=a%3Ab", bearer(KEYS.ops));
    expect(badClient.status).toBe(422);
    expect(await badClient.json()).toMatchObject({ errors: [{ field: "client_id" }] });
    expect((await get("/v1/accounts/ACC-1", {})).status).toBe(401);
    expect((await get("/v1/accounts/ACC-1", bearer("not-a-key"))).status).toBe(401);
    expect((await get("/v1/accounts/ACC-1", bearer(KEYS.pump))).status).toBe(403);
  });

  it("answers as the gateway's runtime role, which may read balances", async () => {
    const asRole = await startGateway(
      gatewayConfigFrom(h.gateway.services.settings, {
        bootstrapServers: testEnvironment().bootstrapServers,
        registryUrl: testEnvironment().registryUrl,
        databaseUrl: withRole(h.db.url, "ledgerline_gateway"),
      }),
    );
    try {
      const response = await buildApp(asRole.services).request("/v1/accounts/ACC-1", {
        headers: bearer(KEYS.globex),
      });
      expect(response.status, await response.clone().text()).toBe(200);
      expect(((await response.json()) as Account).balances).toHaveLength(1);
    } finally {
      await asRole.dispose();
    }
  });

  it("is in the OpenAPI document", async () => {
    const doc = (await (await get("/openapi.json", {})).json()) as {
      paths: Record<string, { get?: { parameters?: { name: string; in: string }[] } }>;
      components: { schemas: Record<string, unknown> };
    };
    const path = doc.paths["/v1/accounts/{account_id}"];
    expect(path?.get?.parameters?.map((p) => `${p.in}:${p.name}`).sort()).toEqual([
      "path:account_id",
      "query:client_id",
    ]);
    expect(doc.components.schemas).toHaveProperty("Account");
    expect(doc.components.schemas).toHaveProperty("AccountBalance");
  });
});
