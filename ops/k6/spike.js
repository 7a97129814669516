// Spike: steady traffic, a sudden jump to SPIKE_RATE, and back; the gateway must shed nothing.
import { mixedRequest, thresholds } from "./lib/gateway.js";

const base = Number(__ENV.RATE || 50);
const spike = Number(__ENV.SPIKE_RATE || 1000);

export const options = {
  scenarios: {
    spike: {
      executor: "ramping-arrival-rate",
      startRate: base,
      timeUnit: "1s",
      preAllocatedVUs: 50,
      maxVUs: Number(__ENV.MAX_VUS || 400),
      stages: [
        { duration: "30s", target: base },
        { duration: "10s", target: spike },
        { duration: "30s", target: spike },
        { duration: "10s", target: base },
        { duration: "30s", target: base },
      ],
    },
  },
  thresholds: thresholds(Number(__ENV.P99_MS || 2000)),
};

export default mixedRequest;
