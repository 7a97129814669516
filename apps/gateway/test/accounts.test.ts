// The accounts API on the real stack: GET /v1/accounts/{account_id} (now and ?as_of=), its statement, and
// PUT/DELETE of its overdraft limits. A client's key sees and manages only its own client's accounts, an
// ops key names the client, balances are exact in each currency's exponent, and the gateway's runtime
// role may do all of it. One harness; the rows the sink would leave are inserted directly.
import { randomUUID } from "node:crypto";
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
  acmeRead: "acme-read-only-key",
  globex: "globex-read-key",
  globexIngest: "globex-ingest-key",
  pump: "pump-ingest-only-key",
  ops: "ops-key-1",
  acmeOps: "acme-read-and-ops-key",
};
const CONFIG = [
  `acme:ingest+read:${sha256Hex(KEYS.acme)}`,
  `acme:read:${sha256Hex(KEYS.acmeRead)}`,
  `globex:read:${sha256Hex(KEYS.globex)}`,
  `globex:ingest:${sha256Hex(KEYS.globexIngest)}`,
  `pump:ingest:${sha256Hex(KEYS.pump)}`,
  `ops-team:ops:${sha256Hex(KEYS.ops)}`,
  `acme:read+ops:${sha256Hex(KEYS.acmeOps)}`,
].join(",");

const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });

type Balance = {
  currency: string;
  balance: string;
  balance_minor: string;
  updated_at: string | null;
  overdraft_limit: string | null;
  overdraft_limit_minor: string | null;
  available: string | null;
  available_minor: string | null;
  limit_updated_at: string | null;
  limit_updated_by: string | null;
};
type Account = {
  account_id: string;
  client_id: string;
  ledger_account: string;
  as_of: string | null;
  balances: Balance[];
  last_posting_at: string | null;
};
type Statement = {
  account_id: string;
  client_id: string;
  currency: string;
  items: {
    transaction_id: string;
    type: string | null;
    posted_at: string;
    amount: string;
    amount_minor: string;
    balance_after: string;
    balance_after_minor: string;
    seq: number;
  }[];
  next_cursor: string | null;
};

const NO_LIMIT = {
  overdraft_limit: null,
  overdraft_limit_minor: null,
  available: null,
  available_minor: null,
  limit_updated_at: null,
  limit_updated_by: null,
};

// acme's ACC-ST: USD postings (created_at, signed minor), seq 1..7 in order; 3-5 share one created_at
// (one sink batch) and the page boundary of limit=2 falls inside them. One EUR posting.
const ST_USD = [
  ["2026-03-01T00:00:00.000Z", 10000n, "cash_in"],
  ["2026-03-02T00:00:00.000Z", -2500n, "payment"],
  ["2026-03-03T00:00:00.000Z", -1000n, "debit"],
  ["2026-03-03T00:00:00.000Z", 300n, "refund"],
  ["2026-03-03T00:00:00.000Z", -200n, "transfer"],
  ["2026-03-04T00:00:00.000Z", -50n, "cash_out"],
  ["2026-03-05T12:00:00.000Z", 1n, "cash_in"],
] as const;

describe("the accounts API", () => {
  let h: Harness;
  const txIds = new Map<string, string[]>();

  /** Postings of one account and currency as the sink writes them, their transactions and the balance row. */
  const post = async (
    account: string,
    currency: string,
    postings: readonly (readonly [string, bigint, string])[],
  ) => {
    let balance = 0n;
    const ids: string[] = [];
    for (const [index, [at, amount, type]] of postings.entries()) {
      const id = randomUUID();
      ids.push(id);
      balance += amount;
      const absolute = amount < 0n ? -amount : amount;
      await h.db.pool.query(sql.unsafe`
        INSERT INTO transactions (transaction_id, type, account_id, amount_minor, currency, merchant_name, status)
        VALUES (${id}, ${type}, ${account.split(":")[2]!}, ${absolute.toString()}, ${currency}, 'Shop', 'posted')`);
      await h.db.pool.query(sql.unsafe`
        INSERT INTO postings (transaction_id, ledger_account, currency, amount_minor, created_at, account_seq, balance_after_minor)
        VALUES (${id}, ${account}, ${currency}, ${amount.toString()}, ${at}::timestamptz, ${index + 1}, ${balance.toString()})`);
    }
    await h.db.pool.query(sql.unsafe`
      INSERT INTO account_balances (ledger_account, currency, balance_minor, updated_at, last_seq)
      VALUES (${account}, ${currency}, ${balance.toString()}, ${postings.at(-1)![0]}::timestamptz, ${postings.length})`);
    txIds.set(`${account}/${currency}`, ids);
  };

  beforeAll(async () => {
    const parsed = parseApiKeys(CONFIG);
    if (parsed.kind !== "keys") throw new Error(parsed.problem);
    h = await startHarness("gw-accounts", { apiKeys: parsed.keys, developmentKey: false });
    // What the sink's balance upsert leaves behind (this test owns its schema); GET reads only these rows.
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
        INSERT INTO account_balances (ledger_account, currency, balance_minor, updated_at, last_seq)
        VALUES (${account}, ${currency}, ${minor.toString()}, ${at}::timestamptz, 1)`);
    }
    await post("customer:acme:ACC-ST", "USD", ST_USD);
    await post("customer:acme:ACC-ST", "EUR", [["2026-03-02T12:00:00.000Z", 700n, "cash_in"]]);
    await post("customer:acme:ACC-MONO", "JPY", [
      ["2026-04-01T00:00:00.000Z", 1000n, "cash_in"],
      ["2026-04-02T00:00:00.000Z", -300n, "payment"],
    ]);
  });
  afterAll(() => h?.close());

  const get = (path: string, headers: Record<string, string>) => h.app.request(path, { headers });
  const ok = async <T = Account>(path: string, key: string): Promise<T> => {
    const response = await get(path, bearer(key));
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as T;
  };
  const fieldErrors = async (response: Response) => {
    expect(response.status, await response.clone().text()).toBe(422);
    expect(response.headers.get("content-type")).toContain("application/problem+json");
    return ((await response.json()) as { errors: { field: string; code: string; message: string }[] }).errors;
  };
  const putLimit = (path: string, key: string, body: unknown) =>
    h.app.request(path, {
      method: "PUT",
      headers: { ...bearer(key), "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
  const deleteLimit = (path: string, key: string) =>
    h.app.request(path, { method: "DELETE", headers: bearer(key) });

  describe("GET /v1/accounts/{account_id}", () => {
    it("a read key sees its own client's account, exact in each currency's exponent", async () => {
      expect(await ok("/v1/accounts/ACC-1", KEYS.acme)).toEqual({
        account_id: "ACC-1",
        client_id: "acme",
        ledger_account: "customer:acme:ACC-1",
        as_of: null,
        balances: [
          {
            currency: "BHD",
            balance: "1.234",
            balance_minor: "1234",
            updated_at: "2026-01-01T00:00:00.000Z",
            ...NO_LIMIT,
          },
          {
            currency: "JPY",
            balance: "500",
            balance_minor: "500",
            updated_at: "2026-01-03T00:00:00.000Z",
            ...NO_LIMIT,
          },
          {
            currency: "USD",
            balance: "-1250.75",
            balance_minor: "-125075",
            updated_at: "2026-01-02T03:04:05.678Z",
            ...NO_LIMIT,
          },
        ],
        last_posting_at: "2026-01-03T00:00:00.000Z",
      });
      expect((await ok("/v1/accounts/ACC-ONLY-ACME", KEYS.acme)).balances).toEqual([
        {
          currency: "BHD",
          balance: "-0.005",
          balance_minor: "-5",
          updated_at: "2026-01-01T00:00:00.000Z",
          ...NO_LIMIT,
        },
      ]);
      // Naming its own client is the same request.
      expect((await ok("/v1/accounts/ACC-1?client_id=acme", KEYS.acme)).ledger_account).toBe(
        "customer:acme:ACC-1",
      );
    });

    it("another client's account is a 404 for a read key, and naming another client a 403", async () => {
      // globex's own ACC-1 is another account than acme's.
      expect(await ok("/v1/accounts/ACC-1", KEYS.globex)).toMatchObject({
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
      expect(await fieldErrors(await get("/v1/accounts/ACC-1", bearer(KEYS.ops)))).toMatchObject([
        { field: "client_id", code: "REQUIRED" },
      ]);
      expect(await ok("/v1/accounts/ACC-ONLY-ACME?client_id=acme", KEYS.ops)).toMatchObject({
        client_id: "acme",
        ledger_account: "customer:acme:ACC-ONLY-ACME",
        balances: [{ currency: "BHD", balance: "-0.005" }],
      });
      expect((await ok("/v1/accounts/ACC-1?client_id=globex", KEYS.ops)).balances).toEqual([
        {
          currency: "USD",
          balance: "1.00",
          balance_minor: "100",
          updated_at: "2026-02-01T00:00:00.000Z",
          ...NO_LIMIT,
        },
      ]);
      expect((await get("/v1/accounts/ACC-ONLY-ACME?client_id=globex", bearer(KEYS.ops))).status).toBe(404);
    });

    it("a key with read and ops (as the development key) means its own client unless it names another", async () => {
      expect((await ok("/v1/accounts/ACC-1", KEYS.acmeOps)).ledger_account).toBe("customer:acme:ACC-1");
      expect((await ok("/v1/accounts/ACC-1?client_id=globex", KEYS.acmeOps)).ledger_account).toBe(
        "customer:globex:ACC-1",
      );
    });

    it("refuses bad ids, missing keys and keys without a read scope", async () => {
      expect(await fieldErrors(await get("/v1/accounts/ACC%201", bearer(KEYS.acme)))).toMatchObject([
        { field: "account_id" },
      ]);
      expect(
        await fieldErrors(await get("/v1/accounts/ACC-1?client_id=a%3Ab", bearer(KEYS.ops))),
      ).toMatchObject([{ field: "client_id" }]);
      expect((await get("/v1/accounts/ACC-1", {})).status).toBe(401);
      expect((await get("/v1/accounts/ACC-1", bearer("not-a-key"))).status).toBe(401);
      expect((await get("/v1/accounts/ACC-1", bearer(KEYS.pump))).status).toBe(403);
    });
  });

  describe("?as_of=", () => {
    const asOf = (moment: string, path = "/v1/accounts/ACC-ST") =>
      ok(`${path}?as_of=${encodeURIComponent(moment)}`, KEYS.acme);
    const balancesOf = (account: Account) =>
      account.balances.map((b) => [b.currency, b.balance, b.updated_at]);

    it("is the balance after the newest posting at or before the moment, per currency", async () => {
      // Before the first posting: the account existed in no currency yet.
      const before = await asOf("2026-02-28T23:59:59.999Z");
      expect(before).toMatchObject({
        as_of: "2026-02-28T23:59:59.999Z",
        balances: [],
        last_posting_at: null,
      });
      // At a posting's exact time it counts; EUR is left out until its first posting.
      expect(balancesOf(await asOf("2026-03-01T00:00:00Z"))).toEqual([
        ["USD", "100.00", "2026-03-01T00:00:00.000Z"],
      ]);
      // Between postings, with an offset: 2026-03-02T13:00Z; both currencies.
      const between = await asOf("2026-03-02T15:00:00+02:00");
      expect(between.as_of).toBe("2026-03-02T13:00:00.000Z");
      expect(balancesOf(between)).toEqual([
        ["EUR", "7.00", "2026-03-02T12:00:00.000Z"],
        ["USD", "75.00", "2026-03-02T00:00:00.000Z"],
      ]);
      expect(between.last_posting_at).toBe("2026-03-02T12:00:00.000Z");
      // Three postings at one moment: the balance after the last of them (seq 5).
      expect(balancesOf(await asOf("2026-03-03T00:00:00.000001Z"))[1]).toEqual([
        "USD",
        "66.00",
        "2026-03-03T00:00:00.000Z",
      ]);
      // After everything: the current balances.
      const after = await asOf("2030-01-01T00:00:00Z");
      const now = await ok("/v1/accounts/ACC-ST", KEYS.acme);
      expect(after.balances).toEqual(now.balances);
      expect(now.as_of).toBeNull();
      expect(after.as_of).toBe("2030-01-01T00:00:00.000Z");
      // Microseconds are kept.
      expect((await asOf("2026-03-03T00:00:00.000001Z")).as_of).toBe("2026-03-03T00:00:00.000001Z");
    });

    it("refuses a malformed moment, and is a 404 for an account that does not exist", async () => {
      for (const bad of [
        "yesterday",
        "2026-03-02",
        "2026-03-02T00:00:00",
        "2026-13-02T00:00:00Z",
        "2026-03-02T00:00:00.1234567Z",
      ]) {
        const errors = await fieldErrors(
          await get(`/v1/accounts/ACC-ST?as_of=${encodeURIComponent(bad)}`, bearer(KEYS.acme)),
        );
        expect(
          errors.map((e) => e.field),
          bad,
        ).toEqual(["as_of"]);
      }
      expect((await get("/v1/accounts/ACC-NEVER?as_of=2030-01-01T00:00:00Z", bearer(KEYS.acme))).status).toBe(
        404,
      );
      expect((await get("/v1/accounts/ACC-ST?as_of=2030-01-01T00:00:00Z", bearer(KEYS.globex))).status).toBe(
        404,
      );
    });
  });

  describe("GET /v1/accounts/{account_id}/statement", () => {
    const statement = (query: string, key = KEYS.acme, account = "ACC-ST") =>
      ok<Statement>(`/v1/accounts/${account}/statement${query}`, key);

    it("lists postings newest first with their kind, signed amount and balance after", async () => {
      const page = await statement("?currency=USD&limit=1");
      const ids = txIds.get("customer:acme:ACC-ST/USD")!;
      expect(page).toMatchObject({ account_id: "ACC-ST", client_id: "acme", currency: "USD" });
      expect(page.items).toEqual([
        {
          transaction_id: ids[6],
          type: "cash_in",
          posted_at: "2026-03-05T12:00:00.000Z",
          amount: "0.01",
          amount_minor: "1",
          balance_after: "65.51",
          balance_after_minor: "6551",
          seq: 7,
        },
      ]);
      expect(page.next_cursor).toEqual(expect.any(String));
      const debit = (await statement("?currency=USD&from=2026-03-04T00:00:00Z&to=2026-03-04T00:00:00Z"))
        .items;
      expect(debit.map((i) => [i.type, i.amount, i.amount_minor, i.balance_after])).toEqual([
        ["cash_out", "-0.50", "-50", "65.50"],
      ]);
    });

    it("pages through the cursor across a boundary inside postings of one moment", async () => {
      const seen: number[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const page: Statement = await statement(
          `?currency=USD&limit=2${cursor === null ? "" : `&cursor=${encodeURIComponent(cursor)}`}`,
        );
        seen.push(...page.items.map((i) => i.seq));
        cursor = page.next_cursor;
        pages++;
      } while (cursor !== null && pages < 10);
      expect(seen).toEqual([7, 6, 5, 4, 3, 2, 1]);
      expect(pages).toBe(4);
      // The running balance is the amounts' sum, in the statement's order.
      const all = (await statement("?currency=USD&limit=500")).items.reverse();
      let sum = 0n;
      for (const item of all) {
        sum += BigInt(item.amount_minor);
        expect(item.balance_after_minor).toBe(sum.toString());
      }
      expect(all.map((i) => i.transaction_id)).toEqual(txIds.get("customer:acme:ACC-ST/USD"));
    });

    it("bounds posted_at by from and to, both inclusive", async () => {
      const page = await statement("?currency=USD&from=2026-03-02T00:00:00Z&to=2026-03-04T00:00:00.000Z");
      expect(page.items.map((i) => i.seq)).toEqual([6, 5, 4, 3, 2]);
      expect(page.next_cursor).toBeNull();
      const bounded = await statement(
        "?currency=USD&from=2026-03-02T00:00:00Z&to=2026-03-04T00:00:00Z&limit=3",
      );
      expect(bounded.items.map((i) => i.seq)).toEqual([6, 5, 4]);
      const rest = await statement(
        `?currency=USD&from=2026-03-02T00:00:00Z&to=2026-03-04T00:00:00Z&limit=3&cursor=${bounded.next_cursor}`,
      );
      expect(rest.items.map((i) => i.seq)).toEqual([3, 2]);
      expect(rest.next_cursor).toBeNull();
      expect((await statement("?currency=USD&from=2027-01-01T00:00:00Z")).items).toEqual([]);
    });

    it("needs currency only when the account holds more than one", async () => {
      const errors = await fieldErrors(await get("/v1/accounts/ACC-ST/statement", bearer(KEYS.acme)));
      expect(errors).toMatchObject([{ field: "currency", code: "REQUIRED" }]);
      expect(errors[0]!.message).toContain("EUR, USD");
      const mono = await statement("", KEYS.acme, "ACC-MONO");
      expect(mono.currency).toBe("JPY");
      expect(mono.items.map((i) => [i.amount, i.balance_after])).toEqual([
        ["-300", "700"],
        ["1000", "1000"],
      ]);
      expect((await statement("?currency=EUR")).items.map((i) => i.amount)).toEqual(["7.00"]);
    });

    it("refuses malformed fields, cursors it did not issue, and other clients", async () => {
      const path = "/v1/accounts/ACC-ST/statement?currency=USD";
      for (const [query, field] of [
        ["&limit=0", "limit"],
        ["&limit=501", "limit"],
        ["&from=2026-03-02", "from"],
        ["&to=soon", "to"],
        ["&cursor=bm90LWEtY3Vyc29y", "cursor"],
        ["&cursor=%25%25", "cursor"],
      ] as const) {
        const errors = await fieldErrors(await get(path + query, bearer(KEYS.acme)));
        expect(
          errors.map((e) => e.field),
          query,
        ).toEqual([field]);
      }
      expect(
        await fieldErrors(await get("/v1/accounts/ACC-ST/statement?currency=usd", bearer(KEYS.acme))),
      ).toMatchObject([{ field: "currency" }]);
      expect((await get(path, bearer(KEYS.globex))).status).toBe(404);
      expect((await get(`${path}&client_id=acme`, bearer(KEYS.globex))).status).toBe(403);
      expect((await get(path, bearer(KEYS.pump))).status).toBe(403);
      expect(await fieldErrors(await get(path, bearer(KEYS.ops)))).toMatchObject([{ field: "client_id" }]);
      expect(
        (await statement("?currency=USD&client_id=acme&limit=2", KEYS.ops)).items.map((i) => i.seq),
      ).toEqual([7, 6]);
    });

    it("is a page for ops in a browser, escaped, linking to older postings", async () => {
      const response = await get(
        "/accounts/ACC-ST/statement?client_id=acme&currency=USD&limit=2",
        bearer(KEYS.ops),
      );
      expect(response.status, await response.clone().text()).toBe(200);
      expect(response.headers.get("content-type")).toContain("text/html");
      expect(response.headers.get("content-security-policy")).toContain("default-src 'self'");
      const page = await response.text();
      expect(page).toContain("Statement of ACC-ST (USD)");
      expect(page).toContain("65.51");
      expect(page).toMatch(
        /id="next" href="\/accounts\/ACC-ST\/statement\?client_id=acme&amp;currency=USD&amp;limit=2&amp;cursor=/,
      );
      expect((await get("/accounts/ACC-ST/statement?client_id=acme", bearer(KEYS.acme))).status).toBe(403);
    });
  });

  describe("PUT and DELETE /v1/accounts/{account_id}/limits", () => {
    const usd = (account: Account) => account.balances.find((b) => b.currency === "USD")!;

    it("the owning client's ingest key sets a limit; the account shows it and what is available", async () => {
      const response = await putLimit("/v1/accounts/ACC-1/limits", KEYS.acme, {
        currency: "USD",
        overdraft_limit: "2000.00",
      });
      expect(response.status, await response.clone().text()).toBe(200);
      const account = (await response.json()) as Account;
      expect(usd(account)).toMatchObject({
        balance: "-1250.75",
        overdraft_limit: "2000.00",
        overdraft_limit_minor: "200000",
        available: "749.25",
        available_minor: "74925",
        limit_updated_by: "acme",
      });
      expect(Date.now() - Date.parse(usd(account).limit_updated_at!)).toBeLessThan(60_000);
      // GET shows the same; the other currencies have none.
      const read = await ok("/v1/accounts/ACC-1", KEYS.acmeRead);
      expect(usd(read)).toEqual(usd(account));
      expect(read.balances.filter((b) => b.overdraft_limit !== null)).toHaveLength(1);
      // as_of shows the current limit beside the balance of then.
      const eur = await putLimit("/v1/accounts/ACC-ST/limits", KEYS.acme, {
        currency: "EUR",
        overdraft_limit: "5",
      });
      expect(eur.status, await eur.clone().text()).toBe(200);
      expect(
        (await ok("/v1/accounts/ACC-ST?as_of=2026-03-02T13:00:00Z", KEYS.acme)).balances[0],
      ).toMatchObject({
        currency: "EUR",
        balance: "7.00",
        overdraft_limit: "5.00",
        available: "12.00",
      });
    });

    it("refuses a limit the balance already breaks with 409 LIMIT_BELOW_BALANCE, leaving the limit as it was", async () => {
      const refused = await putLimit("/v1/accounts/ACC-1/limits", KEYS.acme, {
        currency: "USD",
        overdraft_limit: "1250.74",
      });
      expect(refused.status).toBe(409);
      expect(refused.headers.get("content-type")).toContain("application/problem+json");
      const problem = (await refused.json()) as { type: string; detail: string };
      expect(problem.type).toMatch(/limit-below-balance$/);
      expect(problem.detail).toContain("-1250.75");
      expect(usd(await ok("/v1/accounts/ACC-1", KEYS.acme)).overdraft_limit).toBe("2000.00");
      // Exactly the balance is allowed.
      const exact = await putLimit("/v1/accounts/ACC-1/limits", KEYS.acme, {
        currency: "USD",
        overdraft_limit: "1250.75",
      });
      expect(exact.status).toBe(200);
      expect(usd((await exact.json()) as Account).available).toBe("0.00");
    });

    it("lets a limit be set on an account nothing was posted on: it exists with balance 0", async () => {
      const response = await putLimit("/v1/accounts/ACC-NEW/limits", KEYS.pump, {
        currency: "JPY",
        overdraft_limit: "0",
      });
      expect(response.status, await response.clone().text()).toBe(200);
      expect(await response.json()).toEqual({
        account_id: "ACC-NEW",
        client_id: "pump",
        ledger_account: "customer:pump:ACC-NEW",
        as_of: null,
        balances: [
          {
            currency: "JPY",
            balance: "0",
            balance_minor: "0",
            updated_at: null,
            overdraft_limit: "0",
            overdraft_limit_minor: "0",
            available: "0",
            available_minor: "0",
            limit_updated_at: expect.any(String),
            limit_updated_by: "pump",
          },
        ],
        last_posting_at: null,
      });
      // It reads as an account (ops: pump's key cannot read) with an empty statement.
      expect((await ok("/v1/accounts/ACC-NEW?client_id=pump", KEYS.ops)).balances).toHaveLength(1);
      expect((await ok<Statement>("/v1/accounts/ACC-NEW/statement?client_id=pump", KEYS.ops)).items).toEqual(
        [],
      );
    });

    it("only the owning client's ingest key and ops: read-only 403, another client 403 or its own account", async () => {
      const body = { currency: "USD", overdraft_limit: "10.00" };
      expect((await putLimit("/v1/accounts/ACC-1/limits", KEYS.acmeRead, body)).status).toBe(403);
      expect((await putLimit("/v1/accounts/ACC-1/limits", KEYS.globex, body)).status).toBe(403);
      expect((await deleteLimit("/v1/accounts/ACC-1/limits?currency=USD", KEYS.acmeRead)).status).toBe(403);
      // globex's ingest key may not name acme; its ACC-1 is its own account, which has no limit.
      expect(
        (await putLimit("/v1/accounts/ACC-1/limits?client_id=acme", KEYS.globexIngest, body)).status,
      ).toBe(403);
      expect(
        (await deleteLimit("/v1/accounts/ACC-1/limits?currency=USD&client_id=acme", KEYS.globexIngest))
          .status,
      ).toBe(403);
      expect((await deleteLimit("/v1/accounts/ACC-1/limits?currency=USD", KEYS.globexIngest)).status).toBe(
        404,
      );
      expect(usd(await ok("/v1/accounts/ACC-1", KEYS.acme)).overdraft_limit).toBe("1250.75");
      // ops names the client (422 without it), and is recorded as who set it.
      expect(await fieldErrors(await putLimit("/v1/accounts/ACC-1/limits", KEYS.ops, body))).toMatchObject([
        { field: "client_id", code: "REQUIRED" },
      ]);
      const byOps = await putLimit("/v1/accounts/ACC-1/limits?client_id=globex", KEYS.ops, body);
      expect(byOps.status, await byOps.clone().text()).toBe(200);
      expect(usd((await byOps.json()) as Account)).toMatchObject({
        balance: "1.00",
        overdraft_limit: "10.00",
        available: "11.00",
        limit_updated_by: "ops-team",
      });
      expect(
        (await deleteLimit("/v1/accounts/ACC-1/limits?currency=USD&client_id=globex", KEYS.ops)).status,
      ).toBe(204);
    });

    it("refuses malformed limits with field errors", async () => {
      const cases: [unknown, string, string][] = [
        [{ currency: "USD", overdraft_limit: "1.234" }, "overdraft_limit", "TOO_MANY_DECIMALS"],
        [{ currency: "JPY", overdraft_limit: "1.5" }, "overdraft_limit", "TOO_MANY_DECIMALS"],
        [{ currency: "USD", overdraft_limit: "-1.00" }, "overdraft_limit", "NEGATIVE"],
        [{ currency: "USD", overdraft_limit: "1e3" }, "overdraft_limit", "NOT_A_DECIMAL"],
        [{ currency: "USD", overdraft_limit: "99999999999999999999" }, "overdraft_limit", "TOO_LARGE"],
        [{ currency: "XXX", overdraft_limit: "1.00" }, "currency", "UNKNOWN_CURRENCY"],
        [{ currency: "USD", overdraft_limit: 100 }, "overdraft_limit", "INVALID_TYPE"],
        [{ currency: "USD" }, "overdraft_limit", "INVALID_TYPE"],
        [{ currency: "USD", overdraft_limit: "1.00", extra: 1 }, "extra", "UNRECOGNIZED_KEYS"],
      ];
      for (const [body, field, code] of cases) {
        const errors = await fieldErrors(await putLimit("/v1/accounts/ACC-1/limits", KEYS.acme, body));
        expect(errors, JSON.stringify(body)).toMatchObject([{ field, code }]);
      }
      expect(await fieldErrors(await deleteLimit("/v1/accounts/ACC-1/limits", KEYS.acme))).toMatchObject([
        { field: "currency" },
      ]);
    });

    it("DELETE removes a limit (204), then 404: that currency has none", async () => {
      expect((await deleteLimit("/v1/accounts/ACC-1/limits?currency=USD", KEYS.acme)).status).toBe(204);
      const after = usd(await ok("/v1/accounts/ACC-1", KEYS.acme));
      expect(after).toMatchObject({ overdraft_limit: null, available: null, limit_updated_by: "acme" });
      expect(after.limit_updated_at).not.toBeNull();
      const again = await deleteLimit("/v1/accounts/ACC-1/limits?currency=USD", KEYS.acme);
      expect(again.status).toBe(404);
      expect(again.headers.get("content-type")).toContain("application/problem+json");
      expect((await deleteLimit("/v1/accounts/ACC-1/limits?currency=EUR", KEYS.acme)).status).toBe(404);
    });
  });

  it("answers as the gateway's runtime role, which may read accounts and write only their limits", async () => {
    const asRole = await startGateway(
      gatewayConfigFrom(h.gateway.services.settings, {
        bootstrapServers: testEnvironment().bootstrapServers,
        registryUrl: testEnvironment().registryUrl,
        databaseUrl: withRole(h.db.url, "ledgerline_gateway"),
      }),
    );
    try {
      const app = buildApp(asRole.services);
      const request = (path: string, init: RequestInit = {}) =>
        app.request(path, { ...init, headers: { ...bearer(KEYS.acme), "Content-Type": "application/json" } });
      const expectStatus = async (response: Response, status: number) =>
        expect(response.status, await response.clone().text()).toBe(status);
      await expectStatus(await request("/v1/accounts/ACC-1"), 200);
      await expectStatus(await request("/v1/accounts/ACC-ST?as_of=2026-03-03T00:00:00Z"), 200);
      await expectStatus(await request("/v1/accounts/ACC-ST/statement?currency=USD&limit=2"), 200);
      const limit = (account: string, overdraft_limit: string) =>
        request(`/v1/accounts/${account}/limits`, {
          method: "PUT",
          body: JSON.stringify({ currency: "USD", overdraft_limit }),
        });
      await expectStatus(await limit("ACC-ROLE", "5.00"), 200); // inserts the row
      await expectStatus(await limit("ACC-ROLE", "6.00"), 200); // updates it
      await expectStatus(await limit("ACC-1", "1.00"), 409);
      await expectStatus(
        await request("/v1/accounts/ACC-ROLE/limits?currency=USD", { method: "DELETE" }),
        204,
      );
    } finally {
      await asRole.dispose();
    }
  });

  it("is in the OpenAPI document", async () => {
    const doc = (await (await get("/openapi.json", {})).json()) as {
      paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>>;
      components: { schemas: Record<string, unknown> };
    };
    const names = (path: string, method: string) =>
      doc.paths[path]?.[method]?.parameters?.map((p) => `${p.in}:${p.name}`).sort();
    expect(names("/v1/accounts/{account_id}", "get")).toEqual([
      "path:account_id",
      "query:as_of",
      "query:client_id",
    ]);
    expect(names("/v1/accounts/{account_id}/statement", "get")).toEqual([
      "path:account_id",
      "query:client_id",
      "query:currency",
      "query:cursor",
      "query:from",
      "query:limit",
      "query:to",
    ]);
    expect(names("/v1/accounts/{account_id}/limits", "put")).toEqual(["path:account_id", "query:client_id"]);
    expect(names("/v1/accounts/{account_id}/limits", "delete")).toEqual([
      "path:account_id",
      "query:client_id",
      "query:currency",
    ]);
    for (const schema of ["Account", "AccountBalance", "Statement", "StatementEntry", "LimitRequest"])
      expect(doc.components.schemas, schema).toHaveProperty(schema);
  });
});
