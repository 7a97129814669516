// npm run bench:e2e's load: a constant arrival rate of RATE requests per second for SECONDS, all single
// POSTs (KIND=single) or all batch POSTs of BATCH_SIZE transactions (KIND=batch). An open model: when the
// gateway slows down k6 adds VUs, and counts what it could not start on time as dropped_iterations.
// Light on purpose, because k6 shares the machine with the pipeline: the bodies are serialized once
// (PaySim rows, no transaction_id, so the gateway assigns each request a new id), and responses are
// discarded (202 means every transaction of the request was accepted).
import { SharedArray } from "k6/data";
import exec from "k6/execution";
import http from "k6/http";
import { Counter } from "k6/metrics";
import { rows, transactionFields } from "./lib/gateway.js";

const KIND = __ENV.KIND === "batch" ? "batch" : "single";
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

const bodies = new SharedArray(`bench-${KIND}`, () => {
  const out = [];
  // A few thousand transactions' worth: enough variety, and k6's start-up stays short.
  const count = Math.min(rows.length, Math.ceil(5_000 / PER_REQUEST));
  for (let i = 0; i < count; i++) {
    out.push(
      KIND === "batch"
        ? JSON.stringify({
            items: Array.from({ length: BATCH_SIZE }, (_, j) =>
              transactionFields(rows[(i * BATCH_SIZE + j) % rows.length]),
            ),
          })
        : JSON.stringify(transactionFields(rows[i])),
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
