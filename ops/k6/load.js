// Load: a constant arrival rate (open model: the rate holds even when the gateway slows down).
import { mixedRequest, thresholds } from "./lib/gateway.js";

export const options = {
  scenarios: {
    load: {
      executor: "constant-arrival-rate",
      rate: Number(__ENV.RATE || 200),
      timeUnit: "1s",
      duration: __ENV.DURATION || "2m",
      preAllocatedVUs: Number(__ENV.VUS || 50),
      maxVUs: Number(__ENV.MAX_VUS || 200),
    },
  },
  thresholds: thresholds(Number(__ENV.P99_MS || 500)),
};

export default mixedRequest;
