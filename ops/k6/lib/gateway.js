// Shared by every k6 script: the PaySim rows, the request mix (single, batch, idempotent retry)
// and the thresholds that fail a run. Env: GATEWAY_URL, API_KEY, PAYSIM_FILE, CURRENCY, BATCH_SIZE.
import { check } from "k6";
import { SharedArray } from "k6/data";
import http from "k6/http";
import { Counter } from "k6/metrics";

const GATEWAY_URL = __ENV.GATEWAY_URL || "http://127.0.0.1:8000";
const API_KEY = __ENV.API_KEY || "dev-key-change-me";
const CURRENCY = __ENV.CURRENCY || "USD";
const BATCH_SIZE = Number(__ENV.BATCH_SIZE || 10);
const BASE_MS = Date.parse("2024-01-01T00:00:00Z");

// PaySim columns: step,type,amount,nameOrig,oldbalanceOrg,newbalanceOrig,nameDest,oldbalanceDest,newbalanceDest,isFraud,isFlaggedFraud
export const rows = new SharedArray("paysim", () => {
  const lines = open(__ENV.PAYSIM_FILE || "../../../data/paysim-sample.csv").split(/\r?\n/);
  const header = lines[0].split(",");
  const at = (name) => header.indexOf(name);
  return lines
    .slice(1)
    .filter((line) => line.trim() !== "")
    .map((line) => {
      const c = line.split(",");
      return {
        step: Number(c[at("step")]),
        type: c[at("type")],
        amount: Number(c[at("amount")]).toFixed(2),
        account: c[at("nameOrig")],
        dest: c[at("nameDest")],
        isFraud: c[at("isFraud")],
        isFlaggedFraud: c[at("isFlaggedFraud")],
      };
    });
});

export const accepted = new Counter("ledgerline_accepted");

const hex = "0123456789abcdef";
/** Random v4 UUID (k6 has no crypto.randomUUID): the transaction id, reused by the idempotent retry. */
export const uuid = () => {
  let out = "";
  for (let i = 0; i < 36; i++) {
    if (i === 8 || i === 13 || i === 18 || i === 23) out += "-";
    else if (i === 14) out += "4";
    else if (i === 19) out += hex[8 + Math.floor(Math.random() * 4)];
    else out += hex[Math.floor(Math.random() * 16)];
  }
  return out;
};

/** PaySim's types as our kinds (as tools/ledgerline/src/paysim/paysim.ts maps them). */
const KINDS = {
  PAYMENT: "payment",
  TRANSFER: "transfer",
  CASH_IN: "cash_in",
  CASH_OUT: "cash_out",
  DEBIT: "debit",
};

/**
 * A transaction's fields from a PaySim row, without an id (the gateway then assigns one). nameOrig is the
 * account; nameDest is a payment's merchant, a transfer's counterparty, and metadata for the other kinds.
 */
export const transactionFields = (row) => {
  const type = KINDS[row.type] || row.type; // a type PaySim lacks: the gateway says so
  const fields = {
    type,
    account_id: row.account,
    amount: row.amount,
    currency: CURRENCY,
    occurred_at: new Date(BASE_MS + row.step * 3600000).toISOString(),
    metadata: {
      paysim_type: row.type,
      paysim_step: String(row.step),
      paysim_is_fraud: row.isFraud,
      paysim_is_flagged_fraud: row.isFlaggedFraud,
    },
  };
  if (type === "payment") fields.merchant_name = row.dest;
  else if (type === "transfer") fields.counterparty_account_id = row.dest;
  else fields.metadata.paysim_name_dest = row.dest;
  return fields;
};

const body = (row) => ({ transaction_id: uuid(), ...transactionFields(row) });

const params = (kind) => ({
  headers: { "content-type": "application/json", authorization: `Bearer ${API_KEY}` },
  tags: { kind },
  timeout: "10s",
});

const pick = () => rows[Math.floor(Math.random() * rows.length)];

export const single = () => {
  const res = http.post(`${GATEWAY_URL}/v1/transactions`, JSON.stringify(body(pick())), params("single"));
  if (check(res, { "single: 202 accepted": (r) => r.status === 202 })) accepted.add(1);
};

export const batch = () => {
  const items = Array.from({ length: BATCH_SIZE }, () => body(pick()));
  const res = http.post(`${GATEWAY_URL}/v1/transactions:batch`, JSON.stringify({ items }), params("batch"));
  const ok = check(res, {
    "batch: 2xx": (r) => r.status >= 200 && r.status < 300,
    "batch: every item accepted": (r) => r.status < 300 && r.json("accepted") === BATCH_SIZE,
  });
  if (ok) accepted.add(BATCH_SIZE);
};

/** The same transaction sent twice (a client retry after a timeout): both must be accepted, once posted. */
export const idempotentRetry = () => {
  const payload = JSON.stringify(body(pick()));
  const first = http.post(`${GATEWAY_URL}/v1/transactions`, payload, params("retry"));
  const again = http.post(`${GATEWAY_URL}/v1/transactions`, payload, params("retry"));
  check(first, { "retry: first 202": (r) => r.status === 202 });
  check(again, {
    "retry: second 2xx": (r) => r.status >= 200 && r.status < 300,
    "retry: same transaction id": (r) =>
      r.status < 300 && first.status < 300 && r.json("transaction_id") === first.json("transaction_id"),
  });
  if (first.status === 202) accepted.add(1);
};

/** 80% single, 15% batch, 5% idempotent retry. */
export const mixedRequest = () => {
  const roll = Math.random();
  if (roll < 0.8) single();
  else if (roll < 0.95) batch();
  else idempotentRetry();
};

/** Fails the run when missed. P99 of a single accept is the gateway's promise (a durable Kafka produce). */
export const thresholds = (p99Ms) => ({
  http_req_failed: ["rate<0.01"],
  checks: ["rate>0.99"],
  "http_req_duration{kind:single}": [`p(99)<${p99Ms}`],
  "http_req_duration{kind:batch}": [`p(99)<${p99Ms * 4}`],
});
