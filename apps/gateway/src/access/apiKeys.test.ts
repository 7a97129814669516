import { describe, expect, it } from "vitest";
import {
  DEV_API_KEY,
  decideAccess,
  decideApiKeys,
  type Principal,
  parseApiKeys,
  readReach,
  sha256Hex,
} from "./apiKeys.ts";

const hash = (key: string) => sha256Hex(key);

describe("API keys", () => {
  it("reads client, scopes and hash; a client listed twice keeps both keys (rotation)", () => {
    const parsed = parseApiKeys(
      `acme:ingest+read:${hash("old")}, acme:ingest+read:${hash("new")},ops-team:ops:${hash("ops").toUpperCase()}`,
    );
    expect(parsed.kind).toBe("keys");
    if (parsed.kind !== "keys") return;
    expect(parsed.keys.get(hash("old"))).toEqual({ clientId: "acme", scopes: new Set(["ingest", "read"]) });
    expect(parsed.keys.get(hash("new"))?.clientId).toBe("acme");
    expect(parsed.keys.get(hash("ops"))?.scopes).toEqual(new Set(["ops"]));
  });

  it("keeps an entry from before scopes (client:hash) at what it could do then: ingest and read", () => {
    const parsed = parseApiKeys(`legacy:${hash("k")}`);
    expect(parsed.kind === "keys" && parsed.keys.get(hash("k"))?.scopes).toEqual(new Set(["ingest", "read"]));
  });

  it.each([
    ["acme:ingest:not-a-hash", /sha256/],
    [`acme:admin:${hash("k")}`, /scopes are ingest, read, ops/],
    [`acme::${hash("k")}`, /scopes are/],
    [`a c m e:ingest:${hash("k")}`, /client id/],
    [`acme:ingest:x:${hash("k")}`, /must be <client-id>:<scopes>/],
    [`a:ingest:${hash("k")},b:ingest:${hash("k")}`, /two clients/],
  ])("refuses %s, saying why", (value, why) => {
    const parsed = parseApiKeys(value);
    expect(parsed.kind).toBe("invalid");
    expect(parsed.kind === "invalid" && parsed.problem).toMatch(why);
  });

  it("uses the development key only in development, and refuses to run without keys elsewhere", () => {
    const dev = decideApiKeys(undefined, "development");
    expect(dev.kind).toBe("development");
    expect(dev.kind === "development" && dev.keys.get(hash(DEV_API_KEY))?.scopes).toEqual(
      new Set(["ingest", "read", "ops"]),
    );
    for (const environment of ["production", "staging", ""]) {
      const refused = decideApiKeys("", environment);
      expect(refused.kind).toBe("refused");
      expect(refused.kind === "refused" && refused.fix).toMatch(/GATEWAY_API_KEYS=/);
    }
    // Configured keys replace the development key, in development too.
    const configured = decideApiKeys(`acme:ingest:${hash("k")}`, "development");
    expect(configured.kind === "configured" && configured.keys.has(hash(DEV_API_KEY))).toBe(false);
    expect(decideApiKeys("acme:ingest:bad", "production")).toMatchObject({
      kind: "refused",
      message: expect.stringMatching(/acme:ingest:bad/),
    });
  });

  it("decides 401, 403 or allowed, and how far a reader reaches", () => {
    const reader: Principal = { clientId: "acme", scopes: new Set(["read"]) };
    const ops: Principal = { clientId: "ops-team", scopes: new Set(["ops"]) };
    expect(decideAccess(undefined, ["read"], false)).toMatchObject({ kind: "unauthenticated" });
    expect(decideAccess(undefined, ["read"], true)).toMatchObject({ detail: "unknown API key" });
    expect(decideAccess(reader, ["ingest"], true)).toMatchObject({
      kind: "forbidden",
      detail: expect.stringMatching(/lacks the ingest scope/),
    });
    expect(decideAccess(reader, ["read", "ops"], true)).toEqual({ kind: "allowed", principal: reader });
    expect(readReach(reader)).toEqual({ kind: "own", clientId: "acme" });
    expect(readReach(ops)).toEqual({ kind: "everything" });
  });
});
