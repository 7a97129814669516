// npm run bench:e2e's load: a constant arrival rate of RATE requests per second for SECONDS, all single
// POSTs (KIND=single) or all batch POSTs of BATCH_SIZE transactions (KIND=batch). An open model: when the
// gateway slows down k6 adds VUs, and counts what it could not start on time as dropped_iterations.
// Light on purpose, because k6 shares the machine with the pipeline: the bodies are serialized once
// (PaySim rows, no transaction_id, so the gateway assigns each request a new id), and responses are
// discarded (202 means every transaction of the request was accepted).
// MIX says whose accounts the bodies move (tools/bench's --mixes): `spread` (the default) the PaySim rows as
// they are; `payments` every transaction a payment to a merchant of its own; `hot-merchant` every one a
// payment to ONE merchant; `cash` cash-ins and cash-outs in turn, all on the one `system:cash` account. The
// customers stay the sample's in every mix.
import { SharedArray } from "k6/data";
import exec from "k6/execution";
import http from "k6/http";
import { Counter } from "k6/metrics";
import { rows, transactionFields } from "./lib/gateway.js";

const KIND = __ENV.KIND === "batch" ? "batch" : "single";
const MIX = __ENV.MIX || "spread";
const BATCH_SIZE = Number(__ENV.BATCH_SIZE || 100);
const PER_REQUEST = KIND === "batch" ? BATCH_SIZE : 1;
const URL = `${__ENV.GATEWAY_URL || "http://127.0.0.1:8000"}/v1/transactions${KIND === "batch" ? ":batch" : ""}`;
const PARAMS = {
  headers: {
    "content-type": "application/json",
    authorization: `Bearer ${__ENV.API_KEY || "dev-key-change-me"}`,
  },
  timeout: "10s",
};

/** A row as another PaySim type: the sample's customer, amount and time, the kind the mix wants. */
const as = (row, type, extra) => ({ ...transactionFields({ ...row, type }), ...extra });

/** The mix's k-th transaction of a cycle of bodies. */
const MIX_TRANSACTION = {
  spread: (k) => transactionFields(rows[k % rows.length]),
  payments: (k) => as(rows[k % rows.length], "PAYMENT", { merchant_name: `BENCH MERCHANT ${k}` }),
  "hot-merchant": (k) => as(rows[k % rows.length], "PAYMENT", { merchant_name: "BENCH HOT MERCHANT" }),
  // A customer's cash-in, then its cash-out of the same amount: its balance comes back to where it was
  // each cycle. (Nothing would be refused anyway: the benchmark's ledger sets no overdraft limit, and an
  // account without one takes any debit, docs/accounts.md.)
  cash: (k) => as(rows[Math.floor(k / 2) % rows.length], k % 2 === 0 ? "CASH_IN" : "CASH_OUT", {}),
};
const transactionAt = MIX_TRANSACTION[MIX];
if (!transactionAt) throw new Error(`unknown MIX "${MIX}" (${Object.keys(MIX_TRANSACTION).join(", ")})`);

const bodies = new SharedArray(`bench-${KIND}-${MIX}`, () => {
  const out = [];
  // A few thousand transactions' worth: enough variety, and k6's start-up stays short.
  const count = Math.min(rows.length, Math.ceil(5_000 / PER_REQUEST));
  for (let i = 0; i < count; i++) {
    out.push(
      KIND === "batch"
        ? JSON.stringify({
            items: Array.from({ length: BATCH_SIZE }, (_, j) => transactionAt(i * BATCH_SIZE + j)),
          })
        : JSON.stringify(transactionAt(i)),
    );
  }
  return out;
});

export const accepted = new Counter("ledgerline_accepted");
export const failed = new Counter("ledgerline_failed");

export const options = {
  discardResponseBodies: true,
  scenarios: {
    bench: {
      executor: "constant-arrival-rate",
      rate: Number(__ENV.RATE || 100),
      timeUnit: "1s",
      duration: `${__ENV.SECONDS || 20}s`,
      preAllocatedVUs: Number(__ENV.VUS || 50),
      maxVUs: Number(__ENV.MAX_VUS || 500),
    },
  },
  summaryTrendStats: ["p(50)", "p(99)", "max"],
};

export default () => {
  const res = http.post(URL, bodies[exec.scenario.iterationInTest % bodies.length], PARAMS);
  if (res.status === 202) accepted.add(PER_REQUEST);
  else failed.add(1);
};
