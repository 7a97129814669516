// Deterministic transaction ids: the same Idempotency-Key from the same client always maps to one id,
// so the gateway keeps no state and every downstream stage deduplicates on it; a client's own ids are
// namespaced to it. The ledger sink derives them too: a refund names its original by either id.
import { v5 as uuidv5 } from "uuid";

/** Fixed namespace for UUIDv5 derivation (never change it: ids of retries would change). */
export const IDEMPOTENCY_NAMESPACE = "6f1c8f8e-2b0a-5d8e-9a7e-3c1d4b5a6e70";

export const idFromIdempotencyKey = (clientId: string, key: string): string =>
  uuidv5(`${clientId}\n${key}`, IDEMPOTENCY_NAMESPACE);

/** Fixed namespace for client-chosen ids (never change it): another namespace than the keys' own. */
export const CLIENT_ID_NAMESPACE = "0b8f3f57-4c1e-5a35-8d2b-91f0a7c6e2d4";

/**
 * A `transaction_id` a client chose, as the ledger stores it: namespaced to the client (UUIDv5 of client
 * and id), so two clients choosing the same id never collide, and no client can probe another's ids.
 */
export const idFromClientChosenId = (clientId: string, chosen: string): string =>
  uuidv5(`${clientId}\n${chosen.toLowerCase()}`, CLIENT_ID_NAMESPACE);

/**
 * The ledger ids a client may mean by `id`, in order of preference: the ledger id itself (what the 202
 * gave), then the id derived from it as one the client chose.
 */
export const ledgerIdCandidates = (clientId: string, id: string): readonly [string, string] => [
  id.toLowerCase(),
  idFromClientChosenId(clientId, id),
];
