// The ingest request body. Shape checks only: amount precision against the currency is decided
// by the gateway on the literal digits the client wrote (see apps/gateway/src/ingest/).
import { z } from "zod";

export const LIMITS = {
  accountId: 64,
  merchantName: 200,
  metadataKeys: 20,
  metadataKey: 64,
  metadataValue: 256,
  idempotencyKey: 200,
} as const;

/** C0 controls and DEL (NUL among them): no ledger column can hold them, and no legitimate text needs them. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
export const CONTROL_CHARACTERS = /[\u0000-\u001f\u007f]/;
/** The same class, global: for replacing every control character in a text. */
export const CONTROL_CHARACTERS_ALL = new RegExp(CONTROL_CHARACTERS.source, "g");
const noControls = (text: string) => !CONTROL_CHARACTERS.test(text);
const CONTROLS_MESSAGE = "must not contain control characters (U+0000 to U+001F, U+007F)";

const MetadataValue = z.union([
  z.string().max(LIMITS.metadataValue).refine(noControls, CONTROLS_MESSAGE),
  z.number(),
  z.boolean(),
]);

/** A customer account id: the format of both account_id and a transfer's counterparty_account_id. */
export const AccountId = z
  .string()
  .min(1)
  .max(LIMITS.accountId)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, "letters, digits and _ . : - only");

/**
 * The kinds of transaction (the list of @ledgerline/domain's TRANSACTION_TYPES, which this package does
 * not depend on; the gateway checks at compile time that the two agree).
 */
export const TRANSACTION_REQUEST_TYPES = [
  "payment",
  "transfer",
  "cash_in",
  "cash_out",
  "debit",
  "refund",
] as const;

const KIND_EXAMPLES = {
  payment: {
    type: "payment",
    account_id: "ACC-7890",
    amount: 1250.75,
    currency: "USD",
    merchant_name: "Chicago Retail Hub",
  },
  transfer: {
    type: "transfer",
    account_id: "ACC-7890",
    counterparty_account_id: "ACC-1234",
    amount: "300.00",
    currency: "USD",
  },
  cash_in: { type: "cash_in", account_id: "ACC-7890", amount: 500, currency: "USD" },
  cash_out: { type: "cash_out", account_id: "ACC-7890", amount: 120, currency: "USD" },
  debit: { type: "debit", account_id: "ACC-7890", amount: "89.99", currency: "USD" },
  refund: {
    type: "refund",
    account_id: "ACC-7890",
    original_transaction_id: "0b3d6f2e-8c1a-4f5e-9d7b-2a6c4e8f1b3d",
    amount: "250.00",
    currency: "USD",
  },
} as const;

/** One example body per kind, with a line on what it books: the OpenAPI request examples. */
export const TRANSACTION_REQUEST_EXAMPLES: Readonly<
  Record<(typeof TRANSACTION_REQUEST_TYPES)[number], { summary: string; value: Record<string, unknown> }>
> = {
  payment: {
    summary: "payment: the customer pays a merchant",
    value: KIND_EXAMPLES.payment,
  },
  transfer: {
    summary: "transfer: to another customer account of the same client",
    value: KIND_EXAMPLES.transfer,
  },
  cash_in: { summary: "cash_in: cash deposited into the account", value: KIND_EXAMPLES.cash_in },
  cash_out: { summary: "cash_out: cash withdrawn from the account", value: KIND_EXAMPLES.cash_out },
  debit: { summary: "debit: an outgoing transfer to another bank", value: KIND_EXAMPLES.debit },
  refund: {
    summary: "refund: part or all of an earlier payment, transfer, cash_out or debit",
    value: KIND_EXAMPLES.refund,
  },
};

export const TransactionRequest = z
  .object({
    type: z.enum(TRANSACTION_REQUEST_TYPES).optional().meta({
      description:
        "The kind of transaction; payment when absent. payment: account_id pays merchant_name. transfer: account_id pays counterparty_account_id (same client). cash_in: cash deposited into account_id. cash_out: cash withdrawn from account_id. debit: an outgoing bank transfer from account_id. refund: account_id gets back part or all of original_transaction_id.",
      example: "payment",
    }),
    account_id: AccountId.meta({
      description:
        "Your customer account the transaction is booked to: debited by a payment, transfer, cash_out or debit, credited by a cash_in or refund. Also the Kafka record key.",
      example: "ACC-7890",
    }),
    amount: z.union([z.number(), z.string().max(40)]).meta({
      description:
        "Positive decimal amount, as a JSON number or a decimal string. Decided on the digits written: no more decimals than the currency's ISO 4217 exponent (USD 2, JPY 0, BHD 3).",
      example: 1250.75,
    }),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/, "three upper-case letters (ISO 4217)")
      .meta({ description: "ISO 4217 alphabetic code", example: "USD" }),
    merchant_name: z
      .string()
      .min(1)
      .max(LIMITS.merchantName)
      .refine(noControls, CONTROLS_MESSAGE)
      .nullish()
      .meta({
        description:
          "The merchant (payee) paid: required for a payment, an optional note for the other kinds. When sent, not empty.",
        example: "Chicago Retail Hub",
      }),
    counterparty_account_id: AccountId.nullish().meta({
      description:
        "A transfer's receiving account: another customer account of your own client, not account_id itself. Required for a transfer; must be absent (or null) for every other kind. Same format as account_id.",
      example: "ACC-1234",
    }),
    original_transaction_id: z.uuid().nullish().meta({
      description:
        "A refund's original transaction: the ledger id you got in its 202, or the transaction_id you chose for it. It must be a posted payment, transfer, cash_out or debit of yours, of the same account and currency, with enough left to refund, or the ledger rejects the refund. Required for a refund; must be absent (or null) for every other kind.",
      example: "0b3d6f2e-8c1a-4f5e-9d7b-2a6c4e8f1b3d",
    }),
    transaction_id: z.uuid().optional().meta({
      description:
        "Client-chosen id; retries must reuse it. The ledger stores it namespaced to your client (the 202 gives that ledger id; GET /v1/transactions/{your id} finds it too), so it never collides with another client's. When Idempotency-Key is sent, it must equal the id derived from the key, or be left out.",
    }),
    occurred_at: z.iso
      .datetime({ offset: true })
      .optional()
      .meta({ description: "RFC 3339 time the transaction happened; defaults to the time of acceptance" }),
    metadata: z
      .record(z.string().min(1).max(LIMITS.metadataKey).refine(noControls, CONTROLS_MESSAGE), MetadataValue)
      .refine(
        (value) => Object.keys(value).length <= LIMITS.metadataKeys,
        `at most ${LIMITS.metadataKeys} keys`,
      )
      .optional()
      .meta({ description: "Small flat object of string/number/boolean attributes (stored as strings)" }),
  })
  .strict()
  .meta({
    id: "TransactionRequest",
    description:
      "A transaction to book. Which fields a kind needs: payment merchant_name; transfer counterparty_account_id; refund original_transaction_id. A field that does not belong to the kind is refused (422 NOT_ALLOWED_FOR_TYPE).",
    example: KIND_EXAMPLES.payment,
    examples: Object.values(KIND_EXAMPLES),
  });

export type TransactionRequest = z.infer<typeof TransactionRequest>;

export const TransactionAccepted = z
  .object({
    transaction_id: z.uuid(),
    status: z.literal("accepted"),
    location: z.string().meta({ description: "Status URL to poll (also sent as the Location header)" }),
  })
  .meta({ id: "TransactionAccepted" });

export type TransactionAccepted = z.infer<typeof TransactionAccepted>;

export const BATCH_DEFAULT_MAX_ITEMS = 1000;

export const BatchRequest = z
  .object({
    items: z
      .array(z.unknown())
      .min(1)
      .meta({ description: "Transaction requests (each as TransactionRequest)" }),
  })
  .strict()
  .meta({ id: "BatchRequest" });

export const BatchItemResult = z
  .discriminatedUnion("status", [
    z.object({
      index: z.number().int(),
      status: z.literal("accepted"),
      transaction_id: z.uuid(),
      location: z.string(),
    }),
    z.object({ index: z.number().int(), status: z.literal("invalid"), errors: z.array(z.unknown()) }),
    z.object({ index: z.number().int(), status: z.literal("unavailable"), detail: z.string() }),
  ])
  .meta({ id: "BatchItemResult" });

export const BatchResponse = z
  .object({
    accepted: z.number().int(),
    invalid: z.number().int(),
    unavailable: z.number().int(),
    results: z.array(BatchItemResult),
  })
  .meta({ id: "BatchResponse" });

export type BatchItemResult = z.infer<typeof BatchItemResult>;
export type BatchResponse = z.infer<typeof BatchResponse>;
