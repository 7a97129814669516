// Broker stopped → 503 + Retry-After within two seconds; after it returns, every record that got
// a 202 is on the topic. Runs against a private throwaway broker (ThrowawayBroker in
// @ledgerline/testkit).
import { ThrowawayBroker } from "@ledgerline/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, post, readRequested, SEED, startHarness } from "./harness.ts";

describe("broker outage", () => {
  let broker: ThrowawayBroker;
  let h: Harness;
  beforeAll(async () => {
    broker = await ThrowawayBroker.create();
    h = await startHarness("gw-outage", { ackTimeoutMs: 1_200 }, broker.bootstrap);
  }, 120_000);
  afterAll(async () => {
    await h?.close().catch(() => undefined);
    await broker?.destroy();
  });

  const submit = async (i: number) => {
    const started = performance.now();
    const response = await post(h.app, "/v1/transactions", {
      ...SEED,
      account_id: `ACC-${i % 7}`,
      amount: `${i + 1}.25`,
    });
    const body = (await response.json()) as { transaction_id?: string };
    return {
      status: response.status,
      id: body.transaction_id,
      ms: performance.now() - started,
      retryAfter: response.headers.get("retry-after"),
    };
  };

  it("answers 503 quickly while the broker is down and loses nothing it acknowledged", async () => {
    const acked: string[] = [];
    // A freshly started broker needs a moment to elect partition leaders: wait for a first 202.
    const warmUp = Date.now() + 30_000;
    let first = await submit(0);
    while (first.status !== 202 && Date.now() < warmUp) first = await submit(0);
    expect(first.status).toBe(202);
    acked.push(first.id!);
    const before = await Promise.all(Array.from({ length: 50 }, (_, i) => submit(i)));
    expect(before.every((r) => r.status === 202)).toBe(true);
    acked.push(...before.map((r) => r.id!));

    await broker.stop();
    const during = await Promise.all(Array.from({ length: 20 }, (_, i) => submit(100 + i)));
    for (const r of during) {
      expect(r.status).toBe(503);
      expect(r.retryAfter).toMatch(/^\d+$/);
      expect(r.ms).toBeLessThan(2_000);
    }

    await broker.start();
    // Clients retry after Retry-After; the gateway recovers without a restart.
    const deadline = Date.now() + 45_000;
    let after = await submit(200);
    while (after.status !== 202 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 500));
      after = await submit(200);
    }
    expect(after.status).toBe(202);
    acked.push(after.id!);
    const more = await Promise.all(Array.from({ length: 20 }, (_, i) => submit(300 + i)));
    for (const r of more) if (r.status === 202) acked.push(r.id!);

    // The restarted broker may still be loading its group coordinator: retry the read-back.
    let records: Awaited<ReturnType<typeof readRequested>> = [];
    for (let attempt = 1; ; attempt++) {
      try {
        const want = new Set(acked);
        records = await readRequested(
          h.ns,
          (seen) => seen.filter((r) => want.has(r.value.transaction_id)).length >= want.size,
          10_000,
          broker.bootstrap,
        );
        break;
      } catch (error) {
        if (attempt >= 10) throw error;
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
    const onTopic = new Set(records.map((r) => r.value.transaction_id));
    expect(acked.filter((id) => !onTopic.has(id))).toEqual([]);
    // 503'd requests were never acknowledged; whatever of them landed carries its own id (dedup downstream).
  }, 120_000);
});
