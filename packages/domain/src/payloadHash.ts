// The fingerprint that tells a retry (same content) from an id reused for different content.
import { hash } from "node:crypto";

export interface HashedContent {
  readonly account_id: string;
  readonly amount_minor: bigint;
  readonly currency: string;
  readonly merchant_name: string;
  /** The kind and its own fields; a payment (or a record without a kind) hashes as before kinds existed. */
  readonly type?: string;
  readonly counterparty_account_id?: string | null;
  readonly original_transaction_id?: string | null;
}

/**
 * SHA-256 hex over the client-supplied money fields in a fixed order. Server-assigned fields
 * (timestamps, ids) are left out so an honest retry always hashes the same.
 */
export const payloadHash = (content: HashedContent): string =>
  // One-shot hash(): no Hash object per call (this runs once per record in the gateway and processor).
  hash(
    "sha256",
    JSON.stringify(
      // Two literal arrays rather than a spread of a conditional one: no intermediate arrays per record.
      content.type === undefined || content.type === "payment"
        ? [content.account_id, content.amount_minor.toString(), content.currency, content.merchant_name]
        : [
            content.account_id,
            content.amount_minor.toString(),
            content.currency,
            content.merchant_name,
            content.type,
            content.counterparty_account_id ?? "",
            content.original_transaction_id ?? "",
          ],
    ),
    "hex",
  );
