// Soak: moderate constant traffic for a long time (default 30 min) to surface leaks and drift.
import { mixedRequest, thresholds } from "./lib/gateway.js";

export const options = {
  scenarios: {
    soak: {
      executor: "constant-arrival-rate",
      rate: Number(__ENV.RATE || 100),
      timeUnit: "1s",
      duration: __ENV.DURATION || "30m",
      preAllocatedVUs: 30,
      maxVUs: 150,
    },
  },
  thresholds: thresholds(Number(__ENV.P99_MS || 500)),
};

export default mixedRequest;
