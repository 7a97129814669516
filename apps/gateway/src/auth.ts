// API keys on requests: `Authorization: Bearer <key>`, or HTTP Basic with the key as the password (so
// a browser can open the ops pages: it asks for the key once). The key's sha256 is looked up among the
// configured hashes; access/apiKeys.ts decides what the key may do.
import type { MiddlewareHandler } from "hono";
import { type ApiKeys, decideAccess, type Principal, type Scope, sha256Hex } from "./access/apiKeys.ts";
import { RequestRejected } from "./errors.ts";
import { requestHeader } from "./headers.ts";

export type AuthVariables = { clientId: string; principal: Principal };

/** The key an Authorization header carries, if it carries one in a form we read. */
export const presentedKey = (header: string): string | undefined => {
  const bearer = /^Bearer\s+(\S{1,512})\s*$/i.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic\s+([A-Za-z0-9+/=]{1,1024})\s*$/i.exec(header);
  if (!basic) return undefined;
  const text = Buffer.from(basic[1]!, "base64").toString("utf8");
  const separator = text.indexOf(":");
  return separator >= 0 && separator < text.length - 1 ? text.slice(separator + 1) : undefined;
};

export interface Authenticator {
  /** Lets through a request whose key has any one of `needed`; 401 without a known key, 403 without the scope.
   *  `browser`: the 401 asks for Basic credentials, so a browser shows its sign-in dialog. */
  require(
    needed: readonly Scope[],
    options?: { readonly browser?: boolean },
  ): MiddlewareHandler<{ Variables: AuthVariables }>;
  /** The request's principal if it sent a known key, without refusing anything. */
  principalOf(header: string | undefined): Principal | undefined;
}

export const authenticator = (keys: ApiKeys): Authenticator => {
  // Headers already verified → principal: skips a sha256 per request. Only valid keys are cached (bounded).
  const verified = new Map<string, Principal>();
  const principalOf = (header: string | undefined): Principal | undefined => {
    if (header === undefined) return undefined;
    const known = verified.get(header);
    if (known !== undefined) return known;
    const key = presentedKey(header);
    // Hash lookup: the key itself is never stored or compared, only its digest.
    const principal = key === undefined ? undefined : keys.get(sha256Hex(key));
    if (principal !== undefined && verified.size < 1_000) verified.set(header, principal);
    return principal;
  };
  return {
    principalOf,
    require: (needed, options = {}) => {
      const challenge = options.browser
        ? 'Basic realm="ledgerline", charset="UTF-8"'
        : 'Bearer realm="ledgerline"';
      return async (c, next) => {
        const header = requestHeader(c, "authorization");
        const access = decideAccess(principalOf(header), needed, header !== undefined);
        switch (access.kind) {
          case "unauthenticated":
            throw new RequestRejected({ reason: "UNAUTHORIZED", detail: access.detail, challenge });
          case "forbidden":
            throw new RequestRejected({ reason: "FORBIDDEN", detail: access.detail });
          case "allowed":
            c.set("principal", access.principal);
            c.set("clientId", access.principal.clientId);
            return next();
        }
      };
    },
  };
};
