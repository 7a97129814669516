// Registry credentials: user:password in SCHEMA_REGISTRY_URL become HTTP basic auth on every call our
// clients make (the codec the stages use, the topology's admin and its reachability check). In front
// of the real registry sits a gate that answers 401 without the right credentials, as a registry with
// basic auth does. A refused login is never a record's fault: it is not dead-lettered, and a stage
// reads it as misconfiguration naming SCHEMA_REGISTRY_URL.

import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { registryEndpoint } from "@ledgerline/catalogue";
import { classifyFault } from "@ledgerline/resilience";
import { createTestNamespace, type TestNamespace, testEnvironment } from "@ledgerline/testkit";
import { connectRegistry } from "@ledgerline/topology";
import { Redacted } from "effect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RegistryCodec, RegistryError } from "../src/index.ts";
import { samples } from "./samples.ts";

const USER = "ledgerline";
const PASSWORD = "s3cret:with/odd@chars";

describe("a registry behind HTTP basic auth", () => {
  let ns: TestNamespace;
  let gate: Server;
  let base: string;
  const seen: (string | undefined)[] = [];
  beforeAll(async () => {
    ns = await createTestNamespace("registry-auth", { only: ["requested"] });
    const upstream = new URL(testEnvironment().registryUrl);
    const expected = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}`;
    gate = createServer(async (req, res) => {
      seen.push(req.headers.authorization);
      if (req.headers.authorization !== expected) {
        res.writeHead(401, {
          "content-type": "application/json",
          "www-authenticate": 'Basic realm="registry"',
        });
        res.end(JSON.stringify({ error_code: 401, message: "Unauthorized" }));
        return;
      }
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const answer = await fetch(new URL(req.url ?? "/", upstream.origin), {
        method: req.method,
        headers: { "content-type": req.headers["content-type"] ?? "application/json" },
        body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
      });
      res.writeHead(answer.status, {
        "content-type": answer.headers.get("content-type") ?? "application/json",
      });
      res.end(Buffer.from(await answer.arrayBuffer()));
    });
    await new Promise<void>((resolve) => gate.listen(0, "127.0.0.1", resolve));
    base = `127.0.0.1:${(gate.address() as AddressInfo).port}${upstream.pathname}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => gate?.close(resolve));
    await ns?.cleanup();
  });
  const url = (password?: string) =>
    password === undefined
      ? `http://${base}`
      : `http://${encodeURIComponent(USER)}:${encodeURIComponent(password)}@${base}`;

  it("encodes and decodes with the credentials of the URL, and never shows the password", async () => {
    const codec = new RegistryCodec({ url: url(PASSWORD), names: ns.names });
    const bytes = await codec.encode("requested", samples.requested);
    expect(await codec.decode("requested", bytes)).toEqual(samples.requested);
    const registry = await connectRegistry({
      bootstrapServers: "",
      registryUrl: Redacted.make(url(PASSWORD)),
      namespace: "",
    });
    expect((await registry.latestVersion(ns.names.valueSubject("requested")))?.id).toBe(
      bytes.readUInt32BE(1),
    );
    expect(seen.every((header) => header?.startsWith("Basic "))).toBe(true);
    expect(registryEndpoint(url(PASSWORD)).display).not.toContain("s3cret");
    expect(registryEndpoint(url(PASSWORD)).display).toContain("ledgerline:***@");
  });

  it("a wrong or missing password is misconfiguration, never a poison record", async () => {
    for (const attempt of [url("wrong"), url()]) {
      const codec = new RegistryCodec({ url: attempt, names: ns.names });
      const error = (await codec
        .encode("requested", samples.requested)
        .catch((e: unknown) => e)) as RegistryError;
      expect(error).toBeInstanceOf(RegistryError);
      expect(error.reason).toBe("REGISTRY_UNAUTHORIZED");
      // Not the record's fault: the stages' decode paths rethrow instead of dead-lettering it; and not
      // retryable either (as the classifier says: only configuration fixes it).
      expect(error.recordAtFault).toBe(false);
      expect(error.retryable).toBe(false);
      const fault = classifyFault(error);
      expect(fault.reason).toBe("Misconfigured");
      expect(fault.fix).toMatch(/SCHEMA_REGISTRY_URL/);
    }
    await expect(
      connectRegistry({ bootstrapServers: "", registryUrl: Redacted.make(url("wrong")), namespace: "" }),
    ).rejects.toThrow(/HTTP 401/);
  });
});
