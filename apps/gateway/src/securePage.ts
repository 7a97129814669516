// Security headers for the HTML pages (/docs, /reports, /console): a strict Content-Security-Policy
// (scripts only from this host, inline ones only with the response's nonce; nothing from elsewhere),
// no framing, no referrer, nosniff. The JSON API does not need them and its hot path does not pay them.
import { NONCE, secureHeaders } from "hono/secure-headers";

export const securePage = secureHeaders({
  contentSecurityPolicy: {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'", NONCE],
    // The pages and Swagger UI set inline styles.
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", "data:"],
    connectSrc: ["'self'"],
    objectSrc: ["'none'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
  },
  xFrameOptions: "DENY",
});
