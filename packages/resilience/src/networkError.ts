// The one rule for "the network failed" (from any client: Kafka, Postgres, the registry's HTTP, fetch):
// errors that say only that a peer could not be reached or went away, which a retry later may fix.

/** Could not reach the peer at all (refused, unknown host, no route, no answer in time). */
const CANNOT_CONNECT =
  /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|Connection\b[^\n]{0,80}?\brefused|Cannot connect to any broker|fetch failed|\btimed? ?out\b/i;

/** Reached the peer, then lost the connection. */
const CONNECTION_LOST = /ECONNRESET|EPIPE|socket hang up|Connection\b[^\n]{0,80}?\b(?:closed|ended)/i;

export type NetworkFailure = "CannotConnect" | "ConnectionLost";

/** Which network failure `text` (an error's message, or the messages of its causes) reports, if any. */
export const networkFailure = (text: string): NetworkFailure | undefined => {
  if (CANNOT_CONNECT.test(text)) return "CannotConnect";
  if (CONNECTION_LOST.test(text)) return "ConnectionLost";
  return undefined;
};

export const isNetworkError = (text: string): boolean => networkFailure(text) !== undefined;

/** The HTTP status an HTTP client's error carries, if any. */
export const httpStatusOf = (error: unknown): number | undefined =>
  typeof error === "object" && error !== null && "status" in error ? Number(error.status) : undefined;

/** An HTTP service (the registry), not the request, failed: unreachable, no answer in time, or a status
 *  that says so (5xx, 408, 429). An error with no status at all counts too. A retry may fix it. */
export const isServiceOutage = (error: unknown): boolean => {
  // mappersmith reports network failures as status 400 with the socket error in the message.
  if (isNetworkError(String((error as Error)?.message))) return true;
  const status = httpStatusOf(error);
  if (status === undefined) return true;
  return status >= 500 || status === 408 || status === 429;
};
