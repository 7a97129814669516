// Who may do what, on the real stack: each client sees only its own transactions and cannot probe or
// collide with another's ids; each scope gets 403 outside its rights; the ops pages take a browser's
// Basic credentials and carry security headers; /reports validates and rate-limits; without keys outside
// development the gateway refuses to start.
import { payloadHash } from "@ledgerline/domain";
import { sql } from "@ledgerline/ledger-db";
import { runScript } from "@ledgerline/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseApiKeys, sha256Hex } from "../src/access/apiKeys.ts";
import { type Harness, post, SEED, startHarness } from "./harness.ts";

const KEYS = {
  acme: "acme-key-1",
  acmeReader: "acme-read-only-key",
  globex: "globex-key-1",
  pump: "pump-ingest-only-key",
  ops: "ops-key-1",
  opsLimited: "ops-key-2",
};
const CONFIG = [
  `acme:ingest+read:${sha256Hex(KEYS.acme)}`,
  `acme:read:${sha256Hex(KEYS.acmeReader)}`,
  `globex:ingest+read:${sha256Hex(KEYS.globex)}`,
  `pump:ingest:${sha256Hex(KEYS.pump)}`,
  `ops-team:ops:${sha256Hex(KEYS.ops)}`,
  `ops-other:ops:${sha256Hex(KEYS.opsLimited)}`,
].join(",");

const bearer = (key: string) => ({ Authorization: `Bearer ${key}` });
const basic = (key: string) => ({
  Authorization: `Basic ${Buffer.from(`anyone:${key}`).toString("base64")}`,
});

describe("access: scopes, client isolation, ops pages", () => {
  let h: Harness;
  beforeAll(async () => {
    const parsed = parseApiKeys(CONFIG);
    if (parsed.kind !== "keys") throw new Error(parsed.problem);
    h = await startHarness("gw-access", {
      apiKeys: parsed.keys,
      developmentKey: false,
      ledgerLookupTimeoutMs: 5_000,
      // Three report queries per client, then one per 20 s: the limit test sees it bite.
      reportRateLimitPerSecond: 0.05,
      reportRateLimitBurst: 3,
    });
  });
  afterAll(() => h?.close());

  const get = (path: string, headers: Record<string, string>) => h.app.request(path, { headers });
  /** What the ledger sink would write for an accepted transaction (this test owns its schema). */
  const postInLedger = (id: string, clientId: string, body: typeof SEED) =>
    h.db.pool.query(sql.unsafe`
      INSERT INTO transactions (transaction_id, account_id, amount_minor, currency, merchant_name, status,
                                occurred_at, accepted_at, posted_at, source, client_id, payload_hash)
      VALUES (${id}, ${body.account_id}, 125075, 'USD', ${body.merchant_name}, 'posted', now(), now(), now(),
              'live', ${clientId}, ${payloadHash({ account_id: body.account_id, amount_minor: 125075n, currency: "USD", merchant_name: body.merchant_name })})`);
  const idOf = async (response: Response) =>
    ((await response.json()) as { transaction_id: string }).transaction_id;

  it("client A cannot list, read or probe client B's transactions, and their chosen ids never collide", async () => {
    const chosen = crypto.randomUUID();
    const a = await post(h.app, "/v1/transactions", { ...SEED, transaction_id: chosen }, bearer(KEYS.acme));
    const b = await post(h.app, "/v1/transactions", { ...SEED, transaction_id: chosen }, bearer(KEYS.globex));
    expect([a.status, b.status]).toEqual([202, 202]);
    const [idA, idB] = [await idOf(a), await idOf(b)];
    expect(new Set([idA, idB, chosen]).size).toBe(3);
    await postInLedger(idA, "acme", SEED);
    await postInLedger(idB, "globex", SEED);

    // Lists: each client its own; ops everyone's.
    const list = async (key: string) =>
      (
        (await (await get("/v1/transactions", bearer(key))).json()) as { items: { transaction_id: string }[] }
      ).items.map((i) => i.transaction_id);
    expect(await list(KEYS.acme)).toEqual([idA]);
    expect(await list(KEYS.acmeReader)).toEqual([idA]);
    expect(await list(KEYS.globex)).toEqual([idB]);
    expect((await list(KEYS.ops)).sort()).toEqual([idA, idB].sort());

    // Reads by id: another client's is a 404 like an unknown id; the client's own id finds its row.
    expect((await get(`/v1/transactions/${idB}`, bearer(KEYS.acme))).status).toBe(404);
    expect((await get(`/v1/transactions/${idA}`, bearer(KEYS.globex))).status).toBe(404);
    expect(await idOf(await get(`/v1/transactions/${idA}`, bearer(KEYS.acme)))).toBe(idA);
    expect(await idOf(await get(`/v1/transactions/${chosen}`, bearer(KEYS.acme)))).toBe(idA);
    expect(await idOf(await get(`/v1/transactions/${chosen}`, bearer(KEYS.globex)))).toBe(idB);
    expect(await idOf(await get(`/v1/transactions/${idB}`, bearer(KEYS.ops)))).toBe(idB);

    // No probing through 409: B sending A's ledger id with another body gets its own new transaction.
    const probe = await post(
      h.app,
      "/v1/transactions",
      { ...SEED, amount: 1, transaction_id: idA },
      bearer(KEYS.globex),
    );
    expect(probe.status).toBe(202);
    expect(await idOf(probe)).not.toBe(idA);
    // A's own retry with another body is still the 409 it should be.
    const conflict = await post(
      h.app,
      "/v1/transactions",
      { ...SEED, amount: 1, transaction_id: chosen },
      bearer(KEYS.acme),
    );
    expect(conflict.status).toBe(409);
    // The same Idempotency-Key from two clients: two transactions.
    const key = { "Idempotency-Key": `order-${Date.now()}` };
    const [ka, kb] = await Promise.all([
      post(h.app, "/v1/transactions", SEED, { ...bearer(KEYS.acme), ...key }),
      post(h.app, "/v1/transactions", SEED, { ...bearer(KEYS.globex), ...key }),
    ]);
    expect(await idOf(ka)).not.toBe(await idOf(kb));
  });

  it("each scope gets 403 outside its rights, and no key or an unknown key gets 401", async () => {
    const opsPaths = ["/reports", "/reports.csv", "/console", "/console/data", "/metrics", "/status"];
    const cases: [string, string, Record<string, string>, number][] = [
      ["POST", "/v1/transactions", bearer(KEYS.pump), 202],
      ["GET", "/v1/transactions", bearer(KEYS.pump), 403],
      ["POST", "/v1/transactions", bearer(KEYS.acmeReader), 403],
      ["POST", "/v1/transactions:batch", bearer(KEYS.acmeReader), 403],
      ["POST", "/v1/transactions", bearer(KEYS.ops), 403],
      ["GET", "/v1/transactions", {}, 401],
      ["GET", "/v1/transactions", bearer("not-a-key"), 401],
      ...opsPaths.map((path): [string, string, Record<string, string>, number] => [
        "GET",
        path,
        bearer(KEYS.acme),
        403,
      ]),
      ...opsPaths.map((path): [string, string, Record<string, string>, number] => [
        "GET",
        path,
        bearer(KEYS.pump),
        403,
      ]),
      ...opsPaths.map((path): [string, string, Record<string, string>, number] => ["GET", path, {}, 401]),
    ];
    for (const [method, path, headers, expected] of cases) {
      const response =
        method === "POST"
          ? await post(h.app, path, path.endsWith(":batch") ? { items: [SEED] } : SEED, headers)
          : await get(path, headers);
      expect(response.status, `${method} ${path} with ${JSON.stringify(headers)}`).toBe(expected);
      if (expected === 403)
        expect(((await response.json()) as { detail: string }).detail).toMatch(/lacks the .* scope/);
    }
    // With the ops scope they answer (GET /status is 503 here: no stage runs beside this gateway).
    for (const path of opsPaths) {
      const response = await get(path === "/reports" ? "/reports?limit=1" : path, bearer(KEYS.ops));
      expect([200, 503], path).toContain(response.status);
    }
  });

  it("/metrics serves the process's standard metrics too (the crash-loop alert reads its start time)", async () => {
    const text = await (await get("/metrics", bearer(KEYS.ops))).text();
    expect(text).toMatch(/^process_start_time_seconds\{[^}]*\} /m);
    expect(text).toMatch(/^ledgerline_http_requests_total\{/m);
  });

  it("ops pages ask a browser for Basic credentials, take the key as password, and send security headers", async () => {
    const challenged = await get("/reports", { Accept: "text/html" });
    expect(challenged.status).toBe(401);
    expect(challenged.headers.get("www-authenticate")).toMatch(/^Basic realm="ledgerline"/);
    expect((await get("/v1/transactions", {})).headers.get("www-authenticate")).toMatch(/^Bearer/);

    for (const path of ["/reports", "/console"]) {
      const page = await get(path, { ...basic(KEYS.ops), Accept: "text/html" });
      expect(page.status, path).toBe(200);
      const csp = page.headers.get("content-security-policy") ?? "";
      expect(csp).toMatch(/default-src 'self'/);
      expect(csp).toMatch(/frame-ancestors 'none'/);
      const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
      expect(nonce, path).toBeTruthy();
      // The page's inline script carries the response's nonce, so the strict policy lets it run.
      expect(await page.text()).toContain(`<script nonce="${nonce}">`);
      expect(page.headers.get("x-frame-options")).toBe("DENY");
      expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    }
    const docs = await get("/docs", {});
    expect(docs.status).toBe(200);
    expect(docs.headers.get("content-security-policy")).toMatch(/script-src 'self'/);
  });

  it("/ready gives its verdict to anyone and its details only to ops", async () => {
    for (const headers of [{}, bearer(KEYS.acme)]) {
      const ready = await get("/ready", headers);
      expect(await ready.json()).toEqual({ status: "ok", components: {} });
    }
    const detailed = (await (await get("/ready", bearer(KEYS.ops))).json()) as { components: object };
    expect(Object.keys(detailed.components).sort()).toEqual(["database", "kafka", "schema_registry"]);
  });

  it("/reports validates limit into a 422 and rate-limits each client's report queries", async () => {
    const bad = await get("/reports?limit=abc", bearer(KEYS.opsLimited));
    expect(bad.status).toBe(422);
    expect(((await bad.json()) as { errors: { field: string }[] }).errors.map((e) => e.field)).toEqual([
      "limit",
    ]);
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++)
      statuses.push((await get("/reports?limit=1", bearer(KEYS.opsLimited))).status);
    // A burst of 3 (the 422 took one): two more pass, then 429 with Retry-After.
    expect(statuses).toEqual([200, 200, 429, 429]);
    const limited = await get("/reports.csv", bearer(KEYS.opsLimited));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
  });
});

describe("the gateway without keys outside development", () => {
  /** main.ts with `env` over the test's environment; an empty value unsets the variable. */
  const startGateway = (env: Record<string, string>) => {
    const environment: Record<string, string | undefined> = { ...process.env, ...env, GATEWAY_PORT: "0" };
    for (const name of Object.keys(env)) if (env[name] === "") delete environment[name];
    return runScript("apps/gateway/src/main.ts", [], { env: environment, timeoutMs: 30_000 });
  };

  it("refuses to start, in one line saying how to configure keys", async () => {
    for (const environment of ["", "production"]) {
      const run = await startGateway({ LEDGERLINE_ENV: environment, GATEWAY_API_KEYS: "" });
      expect(run.code, run.output).toBe(1);
      const line = run.output
        .trim()
        .split("\n")
        .find((l) => l.includes("fatal"));
      expect(line).toMatch(
        /^gateway: fatal Misconfigured: no API keys configured .*Fix: set GATEWAY_API_KEYS=/,
      );
      expect(run.output).not.toContain("dev-key-change-me");
    }
    const bad = await startGateway({
      LEDGERLINE_ENV: "production",
      GATEWAY_API_KEYS: "acme:ingest:plain-key",
    });
    expect(bad.code, bad.output).toBe(1);
    expect(bad.output).toMatch(
      /fatal Misconfigured: GATEWAY_API_KEYS entry "acme:ingest:plain-key": .*sha256/,
    );
  }, 60_000);
});
