// API keys: `Authorization: Bearer <key>`; the key's sha256 is looked up among the configured hashes.
import type { MiddlewareHandler } from "hono";
import { RequestRejected } from "./errors.ts";
import { requestHeader } from "./headers.ts";
import { sha256Hex } from "./settings.ts";

export type AuthVariables = { clientId: string };

export const apiKeyAuth = (
  hashes: ReadonlyMap<string, string>,
): MiddlewareHandler<{ Variables: AuthVariables }> => {
  // Keys already verified → client id: skips a sha256 per request. Only valid keys are cached (bounded).
  const verified = new Map<string, string>();
  return async (c, next) => {
    const header = requestHeader(c, "authorization");
    const known = header === undefined ? undefined : verified.get(header);
    if (known !== undefined) {
      c.set("clientId", known);
      return next();
    }
    const match = header ? /^Bearer\s+(\S{1,512})\s*$/i.exec(header) : null;
    if (!match) {
      throw new RequestRejected({ reason: "UNAUTHORIZED", detail: "send Authorization: Bearer <API key>" });
    }
    // Hash lookup: the key itself is never stored or compared, only its digest.
    const clientId = hashes.get(sha256Hex(match[1]!));
    if (clientId === undefined)
      throw new RequestRejected({ reason: "UNAUTHORIZED", detail: "unknown API key" });
    if (verified.size < 1_000) verified.set(header!, clientId);
    c.set("clientId", clientId);
    await next();
  };
};
