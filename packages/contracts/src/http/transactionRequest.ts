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

export const TransactionRequest = z
  .object({
    account_id: z
      .string()
      .min(1)
      .max(LIMITS.accountId)
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, "letters, digits and _ . : - only")
      .meta({
        description: "Account the amount is debited from; also the Kafka record key",
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
      .meta({ example: "Chicago Retail Hub" }),
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
    example: {
      account_id: "ACC-7890",
      amount: 1250.75,
      currency: "USD",
      merchant_name: "Chicago Retail Hub",
    },
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
