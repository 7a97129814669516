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
