// Smoke: a few seconds of light mixed traffic; proves the gateway accepts every request shape.
import { mixedRequest, thresholds } from "./lib/gateway.js";

export const options = {
  scenarios: {
    smoke: {
      executor: "constant-arrival-rate",
      rate: Number(__ENV.RATE || 20),
      timeUnit: "1s",
      duration: __ENV.DURATION || "8s",
      preAllocatedVUs: 5,
      maxVUs: 20,
    },
  },
  thresholds: thresholds(Number(__ENV.P99_MS || 1000)),
};

export default mixedRequest;
