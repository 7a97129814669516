import { type TopicId, topics } from "@ledgerline/catalogue";
import {
  createTestNamespace,
  swallowingProxy,
  type TestNamespace,
  testEnvironment,
} from "@ledgerline/testkit";
import { connectRegistry, registryAdmin } from "@ledgerline/topology";
import { Redacted } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryCodec, RegistryError } from "../src/index.ts";
import { samples } from "./samples.ts";

describe("the Avro contract in the registry", () => {
  let ns: TestNamespace;
  let codec: RegistryCodec;
  beforeAll(async () => {
    ns = await createTestNamespace("registry");
    codec = new RegistryCodec({ url: testEnvironment().registryUrl, names: ns.names });
  });
  afterAll(() => ns?.cleanup());

  it.each(Object.keys(topics) as TopicId[])("%s round-trips in the Confluent wire format", async (id) => {
    const bytes = await codec.encode(id, samples[id]);
    const registry = await connectRegistry({
      ...testEnvironment(),
      registryUrl: Redacted.make(testEnvironment().registryUrl),
      namespace: ns.namespace,
    });
    const latest = await registry.latestVersion(ns.names.valueSubject(id));
    expect(bytes[0]).toBe(0); // magic byte
    expect(bytes.readUInt32BE(1)).toBe(latest?.id); // 4-byte big-endian schema id
    expect(await codec.decode(id, bytes)).toEqual(samples[id]);
  });

  it("keeps money exact: amounts are bigint, rates are decimal strings", async () => {
    const big = { ...samples.validated, amount_minor: 9_007_199_254_740_993n, fx_rate: "0.000000000001" };
    const decoded = await codec.decode<typeof big>("validated", await codec.encode("validated", big));
    expect(decoded.amount_minor).toBe(9_007_199_254_740_993n);
    expect(decoded.fx_rate).toBe("0.000000000001");
  });

  it("classifies undecodable bytes as poison, not as an outage", async () => {
    const notWire = await codec.decode("requested", Buffer.from("{}")).catch((e: unknown) => e);
    expect(notWire).toBeInstanceOf(RegistryError);
    expect((notWire as RegistryError).reason).toBe("NOT_WIRE_FORMAT");
    const unknownId = Buffer.from([0, 0x7f, 0xff, 0xff, 0xf0, 1, 2]);
    const unknown = (await codec.decode("requested", unknownId).catch((e: unknown) => e)) as RegistryError;
    expect(unknown.reason).toBe("UNKNOWN_SCHEMA");
    expect(unknown.retryable).toBe(false);
    expect(unknown.recordAtFault).toBe(true);
    // A tagged error: classifyFault and Effect's catchTag match it by `_tag`.
    expect(unknown._tag).toBe("RegistryError");
    expect(unknown.name).toBe("RegistryError");
  });

  it("reports an unreachable registry as retryable", async () => {
    const down = new RegistryCodec({ url: "http://127.0.0.1:1/apis/ccompat/v7", names: ns.names });
    const error = (await down
      .encode("requested", samples.requested)
      .catch((e: unknown) => e)) as RegistryError;
    expect(error.reason).toBe("REGISTRY_UNAVAILABLE");
    expect(error.retryable).toBe(true);
    expect(error.recordAtFault).toBe(false);
  });

  it("a burst of encodes asks the registry once (no thundering herd on a cold codec)", async () => {
    const cold = new RegistryCodec({ url: testEnvironment().registryUrl, names: ns.names });
    const client = cold.client as unknown as {
      getRegistryIdBySchema: (...args: unknown[]) => Promise<number>;
    };
    const lookUp = client.getRegistryIdBySchema.bind(client);
    let lookups = 0;
    client.getRegistryIdBySchema = (...args) => {
      lookups += 1;
      return lookUp(...args);
    };
    const encoded = await Promise.all(
      Array.from({ length: 250 }, () => cold.encode("validated", samples.validated)),
    );
    expect(lookups).toBe(1);
    expect(await codec.decode("validated", encoded[249])).toEqual(samples.validated);
  });

  it("asks again after a request the registry swallowed: at once, then as an outage the caller retries", async () => {
    const bytes = await codec.encode("validated", samples.validated);
    const proxiedCodec = (url: string) => new RegistryCodec({ url, names: ns.names, timeoutMs: 1_000 });
    // One connection read and never answered or closed; later ones reach the real registry.
    const once = await swallowingProxy(testEnvironment().registryUrl, 1);
    try {
      expect(await proxiedCodec(once.url).decode("validated", bytes)).toEqual(samples.validated);
      // The hung request was given up: the codec closed its connection rather than leave it open.
      await once.swallowedClosed();
    } finally {
      await once.close();
    }
    // Every try of one call swallowed: an outage, retryable; the next call is a new request and passes.
    const always = await swallowingProxy(testEnvironment().registryUrl, 1 + RegistryCodec.UNANSWERED_RETRIES);
    try {
      const proxied = proxiedCodec(always.url);
      const first = (await proxied.decode("validated", bytes).catch((e: unknown) => e)) as RegistryError;
      expect(first.reason).toBe("REGISTRY_UNAVAILABLE");
      expect(first.retryable).toBe(true);
      expect(await proxied.decode("validated", bytes)).toEqual(samples.validated);
      await always.swallowedClosed();
    } finally {
      await always.close();
    }
  });

  it("the topology's admin calls ask again after a request the registry swallowed (apply never hangs)", async () => {
    const proxy = await swallowingProxy(testEnvironment().registryUrl);
    try {
      const admin = registryAdmin(proxy.url, { timeoutMs: 1_000 });
      const subject = ns.names.valueSubject("validated");
      expect(await admin.getCompatibility(subject)).toBe(topics.validated.value.compatibility);
      await proxy.swallowedClosed();
    } finally {
      await proxy.close();
    }
  });
});
