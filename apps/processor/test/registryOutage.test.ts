// The registry goes away for a while: the processor retries, then continues; nothing is dead-lettered for it.

import { createTestNamespace, type TestNamespace } from "@ledgerline/testkit";
import { Redacted } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  codecFor,
  collectOutputs,
  env,
  produce,
  publishReferenceRates,
  register,
  request,
  settingsFor,
  sleep,
  startProcessor,
} from "./helpers.ts";
import { startTcpProxy, type TcpProxy } from "./tcpProxy.ts";

/** A newer, compatible version of the request schema: its id is one the processor has never fetched. */
const withExtraField = (schema: { fields: object[] }) => ({
  ...schema,
  fields: [...schema.fields, { name: "channel", type: "string", default: "api" }],
});

describe("registry outage", () => {
  let ns: TestNamespace;
  let proxy: TcpProxy;
  let processor: ReturnType<typeof startProcessor> | undefined;

  beforeAll(async () => {
    ns = await createTestNamespace("procreg");
    await publishReferenceRates(ns);
    const target = new URL(env.registryUrl);
    proxy = await startTcpProxy(target.hostname, Number(target.port));
  });
  afterAll(async () => {
    await processor?.stop();
    await proxy?.close();
    await ns?.cleanup();
  });

  it("retries while the registry is unreachable and dead-letters nothing", { timeout: 90_000 }, async () => {
    const target = new URL(env.registryUrl);
    const viaProxy = env.registryUrl.replace(`${target.hostname}:${target.port}`, `127.0.0.1:${proxy.port}`);
    processor = startProcessor(settingsFor(ns, { registryUrl: Redacted.make(viaProxy) }));

    const before = [request(), request({ currency: "XXX" })];
    await produce(ns, before);
    await collectOutputs(ns, (items) => items.length >= 2);

    // Records in a schema version the processor has not seen: decoding them needs the registry.
    const codec = codecFor(ns);
    const newer = withExtraField(codec.readerSchema("requested") as unknown as { fields: object[] });
    const newerId = await register(ns.names.valueSubject("requested"), newer);
    await proxy.cut();
    const during = Array.from({ length: 20 }, (_, i) => request({ amount_minor: BigInt(1_000 + i) }));
    const { createIdempotentProducer } = await import("@ledgerline/kafka");
    const producer = createIdempotentProducer({ bootstrapBrokers: env.brokers, clientId: "outage-producer" });
    await producer.send({
      messages: await Promise.all(
        during.map(async (r) => ({
          topic: ns.names.topic("requested"),
          key: r.account_id,
          value: await codec.client.encode(newerId, { ...r, channel: "batch" }),
        })),
      ),
    });
    await producer.close();

    await sleep(4_000);
    const whileDown = await collectOutputs(ns, () => true, 5_000, 1_000);
    expect(whileDown).toHaveLength(2); // nothing new while the registry is unreachable

    await proxy.restore();
    const outputs = await collectOutputs(ns, (items) => items.length >= 22, 40_000, 1_000);
    expect(outputs).toHaveLength(22);
    expect(outputs.filter((o) => o.topicId === "dlq")).toHaveLength(0);
    const validated = outputs.filter((o) => o.topicId === "validated").map((o) => o.value.transaction_id);
    for (const r of during) expect(validated).toContain(r.transaction_id);
  });
});
