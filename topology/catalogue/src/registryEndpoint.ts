// How SCHEMA_REGISTRY_URL is read, once for every registry client: the codec (schema-registry) and the
// topology's admin calls. Here, below both, because it is pure and needs no client library.

/** Where a registry is and how to log in: credentials may ride in SCHEMA_REGISTRY_URL as
 *  `https://user:password@host/...` (HTTP basic). Clients get them apart from the URL, and `display`
 *  (for messages and logs) never shows the password. Pure. */
export const registryEndpoint = (
  url: string,
): { host: string; auth?: { username: string; password: string }; display: string } => {
  const parsed = new URL(url);
  if (!parsed.username) return { host: url, display: url };
  const auth = {
    username: decodeURIComponent(parsed.username),
    password: decodeURIComponent(parsed.password),
  };
  parsed.username = "";
  parsed.password = "";
  const host = parsed.toString().replace(/\/$/, url.endsWith("/") ? "/" : "");
  return { host, auth, display: host.replace("://", `://${auth.username}:***@`) };
};

/**
 * A middleware for the registry clients' HTTP layer (mappersmith) that abandons a request, closing its
 * socket, when it has no answer after `ms`. Without it a request the registry swallows stays open for
 * good: the codec's client shares one request among every caller that misses its cache for a schema id,
 * so each later fetch of that id would wait on the hung one, and an admin call would never return.
 */
export const requestTimeout = (ms: number) => () => ({
  prepareRequest: <R extends { enhance(extras: { timeout: number }): R }>(next: () => Promise<R>) =>
    next().then((request) => request.enhance({ timeout: ms })),
});
