// Shared by the metrics pipeline tests: scrape, poll, POST.
import { sampleSum } from "../src/metricsText.ts";

export const AUTH = { Authorization: "Bearer dev-key-change-me", "Content-Type": "application/json" };

export const scrape = async (url: string): Promise<string> => {
  // The gateway's /metrics needs an ops key (the development key has it); the stages' ignore it.
  const response = await fetch(url, {
    headers: { Authorization: AUTH.Authorization },
    signal: AbortSignal.timeout(2_000),
  });
  if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
  return response.text();
};

export const poll = async <T>(what: string, attempt: () => Promise<T | undefined>, timeoutMs = 30_000) => {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await attempt();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${what}: not reached within ${timeoutMs} ms${last ? ` (${String(last)})` : ""}`);
};

/** Waits until `name{labels}` at `url` equals `expected`; returns the scrape. */
export const waitForSample = (url: string, name: string, labels: Record<string, string>, expected: number) =>
  poll(`${name}${JSON.stringify(labels)} = ${expected} at ${url}`, async () => {
    const text = await scrape(url);
    return sampleSum(text, name, labels) === expected ? text : undefined;
  });

export const postTransaction = async (gatewayUrl: string, body: Record<string, unknown>) => {
  const response = await fetch(`${gatewayUrl}/v1/transactions`, {
    method: "POST",
    headers: AUTH,
    body: JSON.stringify(body),
  });
  await response.body?.cancel();
  if (response.status !== 202) throw new Error(`POST answered ${response.status}`);
};
