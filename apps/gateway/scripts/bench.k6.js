// k6 side of `npm run bench:gateway` with BENCH_TOOL=k6: constant virtual users POSTing the seed body
// (the setup the reference figure was measured with: 50 VUs, k6 on the same machine).

import { check } from "k6";
import http from "k6/http";

export const options = {
  vus: Number(__ENV.VUS),
  duration: `${__ENV.SECONDS}s`,
  summaryTrendStats: ["p(50)", "p(99)"],
};

const body = JSON.stringify({
  account_id: "ACC-7890",
  amount: 1250.75,
  currency: "USD",
  merchant_name: "Chicago Retail Hub",
});
const params = {
  headers: { "content-type": "application/json", authorization: "Bearer dev-key-change-me" },
};

export default function () {
  const response = http.post(__ENV.URL, body, params);
  check(response, { accepted: (r) => r.status === 202 });
}
