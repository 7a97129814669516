// Generated from schemas/avro/ by `npm run gen:avro` (@ovotech/avro-ts). Do not edit.
export type * as TransactionRequestedTypes from "./TransactionRequested.ts";
export type { TransactionRequested } from "./TransactionRequested.ts";
export type * as TransactionValidatedTypes from "./TransactionValidated.ts";
export type { TransactionValidated } from "./TransactionValidated.ts";
export type * as TransactionRejectedTypes from "./TransactionRejected.ts";
export type { TransactionRejected } from "./TransactionRejected.ts";
export type * as TransactionPostedTypes from "./TransactionPosted.ts";
export type { TransactionPosted } from "./TransactionPosted.ts";
export type * as DeadLetterTypes from "./DeadLetter.ts";
export type { DeadLetter } from "./DeadLetter.ts";
export type * as FxRateTypes from "./FxRate.ts";
export type { FxRate } from "./FxRate.ts";
