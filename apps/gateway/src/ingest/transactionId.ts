// Deterministic transaction ids (derived in @ledgerline/domain, which the ledger sink shares), and a
// fresh one for a request that names none.
import { randomUUID } from "node:crypto";

export {
  CLIENT_ID_NAMESPACE,
  IDEMPOTENCY_NAMESPACE,
  idFromClientChosenId,
  idFromIdempotencyKey,
} from "@ledgerline/domain";

export const newTransactionId = (): string => randomUUID();
