// What the chaos clients send: the kinds, the refunds' and the limited accounts' intents, the accounts
// and currencies, a planned request and its JSON body. The plan is workload.ts; the sending clients.ts.

export const KINDS = ["payment", "transfer", "cash_in", "cash_out", "debit", "refund"] as const;
export type Kind = (typeof KINDS)[number];

/** The kinds a refund may give back (packages/domain REFUNDABLE_TYPES). */
export const REFUNDABLE: readonly Kind[] = ["payment", "transfer", "cash_out", "debit"];

/** What a refund was sent to try; the ledger's rules, not this, decide what it must answer (checker.ts). */
export const REFUND_INTENTS = [
  /** Part of what is left of an original (an original may get several). */
  "partial",
  /** All of an untouched original. */
  "full",
  /** One of 2-3 refunds of one untouched original sent at once, each within it, together more than it. */
  "concurrent",
  /** More than the original's whole amount: REFUND_EXCEEDS_ORIGINAL. */
  "too-large",
  /** Of a cash_in: ORIGINAL_NOT_REFUNDABLE. */
  "of-cash-in",
  /** Of another client's transaction: ORIGINAL_NOT_FOUND (no client sees another's ids). */
  "other-client",
  /** From another account than the original's: REFUND_ACCOUNT_MISMATCH. */
  "other-account",
  /** In another currency than the original's: REFUND_CURRENCY_MISMATCH. */
  "other-currency",
] as const;
export type RefundIntent = (typeof REFUND_INTENTS)[number];

/** What a request of a limited account's traffic was sent to do (the ledger's rules decide the outcome). */
export const LIMITED_INTENTS = [
  /** The cash_in that funds it at the start. */
  "funding",
  /** A cash_in, or a transfer into it from an account without a limit, over the run. */
  "credit",
  /** One debit of it (payment, transfer, cash_out or debit): posted if it fits, else INSUFFICIENT_FUNDS. */
  "debit",
  /** One of 2-4 debits of it sent at once. */
  "burst",
] as const;
export type LimitedIntent = (typeof LIMITED_INTENTS)[number];

/** An account each client gives an overdraft limit before the load (the same ids, a ledger account each). */
export interface LimitedAccount {
  readonly accountId: string;
  readonly currency: Currency;
  /** How far below zero it may go, in the currency's minor units. */
  readonly limitMinor: number;
  /** What the cash_in at the start puts on it. */
  readonly fundingMinor: number;
}

export const LIMITED_ACCOUNTS: readonly LimitedAccount[] = [
  { accountId: "ACC-LIM-0", currency: "USD", limitMinor: 0, fundingMinor: 40_000 },
  { accountId: "ACC-LIM-1", currency: "USD", limitMinor: 25_000, fundingMinor: 15_000 },
  { accountId: "ACC-LIM-2", currency: "EUR", limitMinor: 10_000, fundingMinor: 30_000 },
];

export interface ApiClient {
  readonly clientId: string;
  readonly apiKey: string;
}

export interface PlannedRefund {
  /** The original's key (its planned request, sent earlier). */
  readonly originalKey: string;
  /** Names the original by the ledger id its 202 gave, or by the transaction_id its client chose. */
  readonly namedBy: "ledger-id" | "chosen-id";
  readonly intent: RefundIntent;
  /** Refunds of one original sent at once share a group number; null for a refund sent alone. */
  readonly group: number | null;
}

export interface PlannedRequest {
  /** The Idempotency-Key, or (idBy "transaction-id") the transaction_id the client chose. */
  readonly key: string;
  readonly idBy: "idempotency-key" | "transaction-id";
  /** Index into the API clients. */
  readonly client: number;
  readonly type: Kind;
  readonly accountId: string;
  readonly currency: Currency;
  /** In the currency's minor units (JPY has none: yen). */
  readonly amountMinor: number;
  readonly merchantName?: string;
  readonly counterpartyAccountId?: string;
  readonly refund?: PlannedRefund;
  /** Traffic of a limited account: what it was sent to do (a transfer into one is a credit). */
  readonly limited?: LimitedIntent;
  /** Sent again after its 202, as by a client that lost the answer. */
  readonly resend: boolean;
}

/** One paced step of the load: one request, or a group of refunds of one original sent at once. */
export type Slot = readonly PlannedRequest[];

export const ACCOUNTS = Array.from({ length: 25 }, (_, i) => `ACC-${String(1000 + i)}`);
export const CURRENCIES = ["USD", "USD", "USD", "EUR", "GBP", "JPY"] as const;
export type Currency = (typeof CURRENCIES)[number];
export const MERCHANTS = ["Chicago Retail Hub", "Amazon Mktp", "Corner Shop", "City Transit", "Cafe Nero"];

const minorDigits = (currency: string) => (currency === "JPY" ? 0 : 2);

/** Minor units → the decimal string the API takes ("12.05", yen as whole numbers). */
export const formatAmount = (minor: number, currency: string): string => {
  if (minorDigits(currency) === 0) return String(minor);
  return `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, "0")}`;
};

/** The request's JSON body; a refund's names its original as planned (`originalId`: its 202's id). */
export const bodyOf = (request: PlannedRequest, originalId?: string): string =>
  JSON.stringify({
    type: request.type,
    account_id: request.accountId,
    amount: formatAmount(request.amountMinor, request.currency),
    currency: request.currency,
    ...(request.merchantName ? { merchant_name: request.merchantName } : {}),
    ...(request.counterpartyAccountId ? { counterparty_account_id: request.counterpartyAccountId } : {}),
    ...(request.refund ? { original_transaction_id: originalId } : {}),
    ...(request.idBy === "transaction-id" ? { transaction_id: request.key } : {}),
  });
