// A table of bad inputs: each gets its documented status in the one problem+json shape, and the
// server keeps answering afterwards.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.ts";
import { AUTH, type Harness, JSON_HEADERS, post, SEED, startHarness } from "./harness.ts";

type Case = {
  name: string;
  status: number;
  body?: string | Uint8Array;
  headers?: Record<string, string>;
  path?: string;
  method?: string;
  field?: string;
  code?: string;
};

const seed = (patch: Record<string, unknown>) => JSON.stringify({ ...SEED, ...patch });
const deep = (depth: number) => `${"[".repeat(depth)}${"]".repeat(depth)}`;

const cases: Case[] = [
  { name: "no Authorization header", status: 401, headers: { Authorization: "" } },
  { name: "unknown API key", status: 401, headers: { Authorization: "Bearer wrong-key" } },
  { name: "Basic auth scheme", status: 401, headers: { Authorization: "Basic ZGV2OmRldg==" } },
  { name: "text/plain content type", status: 415, headers: { "Content-Type": "text/plain" } },
  { name: "no content type", status: 415, headers: { "Content-Type": "" } },
  {
    name: "latin-1 charset",
    status: 415,
    headers: { "Content-Type": "application/json; charset=iso-8859-1" },
  },
  { name: "malformed JSON", status: 400, body: '{"account_id":' },
  { name: "empty body", status: 400, body: "" },
  {
    name: "invalid UTF-8",
    status: 400,
    body: new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]),
  },
  { name: "body over the limit", status: 413, body: seed({ merchant_name: "x".repeat(70 * 1024) }) },
  { name: "absurd nesting", status: 422, body: deep(5000), code: "TOO_DEEP" },
  { name: "array instead of object", status: 422, body: "[1,2]" },
  { name: "JSON null", status: 422, body: "null" },
  {
    name: "too many decimals for USD",
    status: 422,
    body: seed({ amount: 1.234 }),
    field: "amount",
    code: "TOO_MANY_DECIMALS",
  },
  {
    name: "decimals for JPY",
    status: 422,
    body: seed({ amount: "10.5", currency: "JPY" }),
    field: "amount",
    code: "TOO_MANY_DECIMALS",
  },
  { name: "zero amount", status: 422, body: seed({ amount: 0 }), field: "amount", code: "NOT_POSITIVE" },
  { name: "negative amount", status: 422, body: seed({ amount: -1 }), field: "amount", code: "NOT_POSITIVE" },
  {
    name: "non-finite amount",
    status: 422,
    body: seed({ amount: "Infinity" }),
    field: "amount",
    code: "NOT_A_DECIMAL",
  },
  {
    name: "overflowing amount literal",
    status: 422,
    body: seed({}).replace("1250.75", "1e400"),
    field: "amount",
  },
  {
    name: "amount above the maximum",
    status: 422,
    body: seed({ amount: "99999999999999999999" }),
    field: "amount",
    code: "TOO_LARGE",
  },
  { name: "amount as boolean", status: 422, body: seed({ amount: true }), field: "amount" },
  {
    name: "unknown currency",
    status: 422,
    body: seed({ currency: "XYZ" }),
    field: "currency",
    code: "UNKNOWN_CURRENCY",
  },
  { name: "lower-case currency", status: 422, body: seed({ currency: "usd" }), field: "currency" },
  {
    name: "missing merchant",
    status: 422,
    body: JSON.stringify({ ...SEED, merchant_name: undefined }),
    field: "merchant_name",
    code: "REQUIRED",
  },
  { name: "unknown type", status: 422, body: seed({ type: "wire" }), field: "type" },
  {
    name: "a transfer without its counterparty",
    status: 422,
    body: seed({ type: "transfer" }),
    field: "counterparty_account_id",
    code: "REQUIRED",
  },
  {
    name: "a transfer to its own account",
    status: 422,
    body: seed({ type: "transfer", counterparty_account_id: SEED.account_id }),
    field: "counterparty_account_id",
    code: "SAME_ACCOUNT",
  },
  {
    name: "a counterparty on a cash_in",
    status: 422,
    body: seed({ type: "cash_in", counterparty_account_id: "ACC-2" }),
    field: "counterparty_account_id",
    code: "NOT_ALLOWED_FOR_TYPE",
  },
  {
    name: "a refund without its original",
    status: 422,
    body: seed({ type: "refund" }),
    field: "original_transaction_id",
    code: "REQUIRED",
  },
  {
    name: "an original on a payment",
    status: 422,
    body: seed({ original_transaction_id: "0b3d6f2e-8c1a-4f5e-9d7b-2a6c4e8f1b3d" }),
    field: "original_transaction_id",
    code: "NOT_ALLOWED_FOR_TYPE",
  },
  {
    name: "merchant name too long",
    status: 422,
    body: seed({ merchant_name: "m".repeat(201) }),
    field: "merchant_name",
  },
  { name: "account id with spaces", status: 422, body: seed({ account_id: "ACC 1" }), field: "account_id" },
  { name: "unknown field", status: 422, body: seed({ amout: 1 }) },
  {
    name: "transaction_id not a uuid",
    status: 422,
    body: seed({ transaction_id: "123" }),
    field: "transaction_id",
  },
  {
    name: "occurred_at not RFC 3339",
    status: 422,
    body: seed({ occurred_at: "yesterday" }),
    field: "occurred_at",
  },
  { name: "nested metadata", status: 422, body: seed({ metadata: { a: { b: 1 } } }), field: "metadata.a" },
  {
    name: "a NUL byte in the merchant name",
    status: 422,
    body: seed({ merchant_name: "Chicago\u0000Retail" }),
    field: "merchant_name",
  },
  {
    name: "a control character in a metadata value",
    status: 422,
    body: seed({ metadata: { note: "line\u0007bell" } }),
    field: "metadata.note",
  },
  {
    name: "too many metadata keys",
    status: 422,
    body: seed({ metadata: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, "v"])) }),
    field: "metadata",
  },
  {
    name: "Idempotency-Key too long",
    status: 422,
    headers: { "Idempotency-Key": "k".repeat(201) },
    field: "Idempotency-Key",
  },
  { name: "GET by a non-uuid id", status: 422, method: "GET", path: "/v1/transactions/nope", field: "id" },
  {
    name: "list with a bad status filter",
    status: 422,
    method: "GET",
    path: "/v1/transactions?status=lost",
    field: "status",
  },
  {
    name: "list with an unknown type filter",
    status: 422,
    method: "GET",
    path: "/v1/transactions?type=wire",
    field: "type",
  },
  {
    name: "list with a forged cursor",
    status: 422,
    method: "GET",
    path: "/v1/transactions?cursor=abc",
    field: "cursor",
  },
  { name: "unknown route", status: 404, method: "GET", path: "/v2/nothing" },
];

describe("bad inputs", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness("gw-bad");
  });
  afterAll(() => h?.close());

  it.each(cases)("$name → $status", async (c) => {
    const method = c.method ?? "POST";
    const headers: Record<string, string> = { ...JSON_HEADERS, ...c.headers };
    for (const [name, value] of Object.entries(headers)) if (value === "") delete headers[name];
    const response = await h.app.request(c.path ?? "/v1/transactions", {
      method,
      headers,
      ...(method === "POST" ? { body: c.body ?? JSON.stringify(SEED) } : {}),
    });
    expect(response.status).toBe(c.status);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    const problem = (await response.json()) as {
      type: string;
      title: string;
      status: number;
      errors?: { field: string; code: string }[];
    };
    expect(problem).toMatchObject({
      status: c.status,
      type: expect.stringMatching(/^https:\/\//),
      title: expect.any(String),
    });
    if (c.status === 422) expect(problem.errors?.length).toBeGreaterThan(0);
    if (c.field) expect(problem.errors?.map((e) => e.field)).toContain(c.field);
    if (c.code) expect(problem.errors?.map((e) => e.code)).toContain(c.code);
    if (c.status === 401) expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
  });

  it("rate-limits per client with 429 + Retry-After", async () => {
    const settings = { ...h.gateway.services.settings, rateLimitPerSecond: 1, rateLimitBurst: 2 };
    const app = buildApp({ ...h.gateway.services, settings });
    const statuses = [];
    for (let i = 0; i < 3; i++)
      statuses.push((await app.request("/v1/transactions?limit=1", { headers: AUTH })).status);
    expect(statuses).toEqual([200, 200, 429]);
    const limited = await app.request("/v1/transactions?limit=1", { headers: AUTH });
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
  });

  it("still accepts a good request afterwards", async () => {
    expect((await post(h.app, "/v1/transactions", SEED)).status).toBe(202);
  });
});
