// API keys and what they may do. A key is stored only as its sha256, with its client and scopes:
//   GATEWAY_API_KEYS="acme:ingest+read:<sha256 hex of the key>,ops-team:ops:<sha256 hex>"
// A client may be listed more than once (an old and a new key both work while a key is rotated).
// Pure: parsing and the decisions; auth.ts applies them to requests.
import { createHash } from "node:crypto";

export const SCOPES = ["ingest", "read", "ops"] as const;
export type Scope = (typeof SCOPES)[number];

export interface Principal {
  readonly clientId: string;
  readonly scopes: ReadonlySet<Scope>;
}

/** sha256(key) hex → who holds it. */
export type ApiKeys = ReadonlyMap<string, Principal>;

export const DEV_CLIENT_ID = "dev";
export const DEV_API_KEY = "dev-key-change-me";

export const sha256Hex = (text: string): string => createHash("sha256").update(text).digest("hex");

/** An entry without scopes (`client:hash`, the format before scopes existed) keeps what it could do then. */
const LEGACY_SCOPES: readonly Scope[] = ["ingest", "read"];
const CLIENT_ID = /^[A-Za-z0-9._-]{1,64}$/;

export type ParsedKeys =
  | { readonly kind: "keys"; readonly keys: ApiKeys }
  | { readonly kind: "invalid"; readonly entry: string; readonly problem: string };

/** "client:scope+scope:hexhash,…" → the keys, or the first entry that is wrong and why. */
export const parseApiKeys = (value: string): ParsedKeys => {
  const keys = new Map<string, Principal>();
  for (const entry of value.split(",").map((part) => part.trim())) {
    if (!entry) continue;
    const parts = entry.split(":").map((part) => part.trim());
    const [clientId = "", scopeText, hashText = ""] =
      parts.length === 2 ? [parts[0], LEGACY_SCOPES.join("+"), parts[1]] : parts;
    const hash = hashText.toLowerCase();
    const scopes = (scopeText ?? "").split("+").filter((s) => s.length > 0);
    const unknown = scopes.find((s) => !(SCOPES as readonly string[]).includes(s));
    const problem =
      parts.length < 2 || parts.length > 3
        ? "must be <client-id>:<scopes>:<sha256 hex of the key>"
        : !CLIENT_ID.test(clientId)
          ? "the client id must be 1-64 letters, digits, '.', '_' or '-'"
          : unknown !== undefined || scopes.length === 0
            ? `scopes are ${SCOPES.join(", ")}, joined with '+' (got "${scopeText}")`
            : !/^[0-9a-f]{64}$/.test(hash)
              ? "the key must be given as the 64 hex digits of its sha256, never the key itself"
              : keys.has(hash) && keys.get(hash)?.clientId !== clientId
                ? "the same key is listed for two clients"
                : undefined;
    if (problem !== undefined) return { kind: "invalid", entry, problem };
    keys.set(hash, { clientId, scopes: new Set(scopes as Scope[]) });
  }
  return { kind: "keys", keys };
};

export const DEV_API_KEYS = `${DEV_CLIENT_ID}:${SCOPES.join("+")}:${sha256Hex(DEV_API_KEY)}`;

export type KeysDecision =
  | { readonly kind: "configured"; readonly keys: ApiKeys }
  /** No keys configured, in development: the development key, with every scope. */
  | { readonly kind: "development"; readonly keys: ApiKeys }
  | { readonly kind: "refused"; readonly message: string; readonly fix: string };

/** Which keys the gateway runs with: configured ones, the development key (development only), or none. */
export const decideApiKeys = (configured: string | undefined, environment: string): KeysDecision => {
  const fix = `set GATEWAY_API_KEYS=<client-id>:<scopes>:<sha256 hex of the key>,… (scopes: ${SCOPES.join(", ")}; README "Security"), or LEDGERLINE_ENV=development for the development key`;
  if (configured === undefined || configured.trim() === "") {
    if (environment === "development") {
      const parsed = parseApiKeys(DEV_API_KEYS);
      if (parsed.kind === "keys") return { kind: "development", keys: parsed.keys };
    }
    return {
      kind: "refused",
      message: `no API keys configured (GATEWAY_API_KEYS is empty) and LEDGERLINE_ENV is "${environment}", not development`,
      fix,
    };
  }
  const parsed = parseApiKeys(configured);
  if (parsed.kind === "invalid")
    return { kind: "refused", message: `GATEWAY_API_KEYS entry "${parsed.entry}": ${parsed.problem}`, fix };
  if (parsed.keys.size === 0) return { kind: "refused", message: "GATEWAY_API_KEYS lists no key", fix };
  return { kind: "configured", keys: parsed.keys };
};

export type Access =
  | { readonly kind: "allowed"; readonly principal: Principal }
  /** No key, or one we do not know: 401. */
  | { readonly kind: "unauthenticated"; readonly detail: string }
  /** A known key without the scope this needs: 403. */
  | { readonly kind: "forbidden"; readonly detail: string };

/** May the holder of `principal` (undefined: no valid key) do what needs any one of `needed`? */
export const decideAccess = (
  principal: Principal | undefined,
  needed: readonly Scope[],
  presented: boolean,
): Access => {
  if (principal === undefined)
    return {
      kind: "unauthenticated",
      detail: presented ? "unknown API key" : "send Authorization: Bearer <API key>",
    };
  if (needed.some((scope) => principal.scopes.has(scope))) return { kind: "allowed", principal };
  return {
    kind: "forbidden",
    detail: `the key of client "${principal.clientId}" lacks the ${needed.join(" or ")} scope this needs`,
  };
};

export type ReadReach =
  /** ops: every client's transactions. */
  | { readonly kind: "everything" }
  /** read: only the transactions this client submitted. */
  | { readonly kind: "own"; readonly clientId: string };

export const readReach = (principal: Principal): ReadReach =>
  principal.scopes.has("ops") ? { kind: "everything" } : { kind: "own", clientId: principal.clientId };
