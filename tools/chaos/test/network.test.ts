// The network faults' plumbing, end to end: a private pipeline whose stages reach Kafka and Postgres through
// proxies of their own (ScriptedPipeline `network: true`). A partition between the ledger sink and Postgres
// keeps a transaction accepted meanwhile out of the ledger; healed, it is posted. Every other fault kind is
// accepted by the proxies and healed in one call.
import { createLedgerPool, type DatabasePool, sql } from "@ledgerline/ledger-db";
import { NetworkFault, ScriptedPipeline } from "@ledgerline/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const AUTH = { Authorization: "Bearer dev-key-change-me", "Content-Type": "application/json" };

describe("network faults (Toxiproxy between stages and brokers/Postgres)", () => {
  let cluster: ScriptedPipeline;
  let pool: DatabasePool;
  let sequence = 0;

  beforeAll(async () => {
    const started = Date.now();
    cluster = await ScriptedPipeline.start({
      processors: 1,
      sinks: 1,
      processorDelivery: "exactly-once",
      network: true,
      log: (line) => console.log(line),
    });
    console.log(`network pipeline started in ${Math.round((Date.now() - started) / 1_000)} s`);
    pool = await createLedgerPool(cluster.env.DATABASE_URL as string, { maximumPoolSize: 1 });
  }, 360_000);

  afterAll(async () => {
    await pool?.end();
    await cluster?.stop();
  }, 180_000);

  const post = async (): Promise<string> => {
    sequence += 1;
    const response = await fetch(`${cluster.gatewayUrl}/v1/transactions`, {
      method: "POST",
      headers: { ...AUTH, "Idempotency-Key": `network-${Date.now()}-${sequence}` },
      body: JSON.stringify({
        account_id: "ACC-NET",
        amount: `${sequence}.25`,
        currency: "USD",
        merchant_name: "Network Test Shop",
      }),
      signal: AbortSignal.timeout(15_000),
    });
    const answer = (await response.json()) as { transaction_id?: string };
    expect(response.status, JSON.stringify(answer)).toBe(202);
    return answer.transaction_id as string;
  };
  const inLedger = async (id: string) =>
    (await pool.oneFirst(sql.unsafe`
      SELECT count(*) FROM transactions WHERE transaction_id = ${id}::uuid`)) === 1n;
  const awaitPosted = async (id: string, timeoutMs: number) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await inLedger(id))) {
      if (Date.now() > deadline) throw new Error(`${id} not in the ledger after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };

  it("a partitioned sink posts nothing until healed, then posts what was accepted", {
    timeout: 300_000,
  }, async () => {
    const network = cluster.network;
    if (!network) throw new Error("no network faults on a network pipeline");
    const links = network.links().map((l) => l.name);
    expect(links).toEqual([
      "gateway→kafka-1",
      "gateway→postgres",
      "processor→kafka-1",
      "ledger-sink→kafka-1",
      "ledger-sink→postgres",
      "outbox-relay→kafka-1",
      "outbox-relay→postgres",
    ]);

    await awaitPosted(await post(), 60_000);

    const sinkToPostgres = network.links().find((l) => l.name === "ledger-sink→postgres");
    if (!sinkToPostgres) throw new Error("no ledger-sink→postgres link");
    await network.apply(sinkToPostgres, NetworkFault.Partition());
    const during = await post();
    await new Promise((r) => setTimeout(r, 10_000));
    expect(await inLedger(during), "posted through a partition").toBe(false);

    const healed = Date.now();
    await network.heal(sinkToPostgres);
    await awaitPosted(during, 120_000);
    console.log(`posted ${Math.round((Date.now() - healed) / 1_000)} s after the partition healed`);

    // Every other kind: the proxies take each (Toxiproxy's field names), and one heal() removes them all.
    const processorToKafka = network.links().find((l) => l.name === "processor→kafka-1");
    if (!processorToKafka) throw new Error("no processor→kafka-1 link");
    for (const fault of [
      NetworkFault.Latency({ latencyMs: 50, jitterMs: 10 }),
      NetworkFault.Bandwidth({ kilobytesPerSecond: 512 }),
      NetworkFault.SlowClose({ delayMs: 100 }),
      NetworkFault.DropConnections(),
    ])
      await network.apply(processorToKafka, fault);
    await network.heal();
    await awaitPosted(await post(), 120_000);
  });
});
