// npm run bench:e2e's load: a constant arrival rate of RATE requests per second for SECONDS, all single
// POSTs (KIND=single) or all batch POSTs of BATCH_SIZE transactions (KIND=batch). An open model: when the
// gateway slows down k6 adds VUs, and counts what it could not start on time as dropped_iterations.
import { batch, single } from "./lib/gateway.js";

export const options = {
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

export default __ENV.KIND === "batch" ? batch : single;
