// What the accounts API takes and returns: a customer account's balances (now or as of a moment), its
// statement, and its overdraft limits.
import { z } from "zod";
import { AccountId, TRANSACTION_REQUEST_TYPES } from "./transactionRequest.ts";

/** An API client's id (the format of GATEWAY_API_KEYS' client ids). */
export const ClientId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "1-64 letters, digits, '.', '_' or '-'");

/** RFC 3339 with an offset, at most microseconds (what Postgres keeps). */
const Moment = z.iso
  .datetime({ offset: true })
  .refine((text) => (/\.(\d+)/.exec(text)?.[1]?.length ?? 0) <= 6, "at most 6 fractional digits");

const CurrencyCode = z.string().regex(/^[A-Z]{3}$/, "an ISO 4217 code in capitals");

export const AccountParams = z.object({
  account_id: AccountId.meta({
    description: "The account id the client sends as a transaction's account_id",
    example: "ACC-7890",
  }),
});

const clientIdParam = ClientId.optional().meta({
  description:
    "Whose account: required with an ops-only key (422 without it); a client's key sees only its own client's accounts, so it may leave it out (its own client) or must name its own client (403 otherwise); a key with ops and read or ingest may name any client",
  example: "acme",
});

export const AccountQuery = z.object({
  client_id: clientIdParam,
  as_of: Moment.optional().meta({
    description:
      "The balances as they were at this moment (RFC 3339 with an offset), from the postings: in each currency, the balance after the newest posting at or before it; currencies with no posting by then are left out. Limits are the current ones (limits keep no history).",
    example: "2026-12-06T10:00:00Z",
  }),
});
export type AccountQuery = z.infer<typeof AccountQuery>;

const minorText = (description: string, example: string) => z.string().meta({ description, example });

export const AccountBalance = z
  .object({
    currency: z.string().meta({ description: "ISO 4217 code", example: "USD" }),
    balance: z.string().meta({
      description:
        "Exact decimal text in the currency's exponent (USD 2 places, JPY 0, BHD 3); negative when the account owes",
      example: "-1250.75",
    }),
    balance_minor: minorText("The balance in integer minor units (string: may exceed 2^53)", "-125075"),
    updated_at: z.string().nullable().meta({
      description:
        "When a posting last moved this balance (RFC 3339, UTC); as of a moment, that of the newest posting by then; null when nothing was ever posted in this currency (a limit set before the first posting)",
      example: "2026-12-06T10:15:30.123Z",
    }),
    overdraft_limit: z.string().nullable().meta({
      description:
        'How far below zero the balance may go, exact decimal ("0.00": never below zero); null: no limit. Always the current limit, also with as_of',
      example: "2000.00",
    }),
    overdraft_limit_minor: minorText("The limit in minor units; null: no limit", "200000").nullable(),
    available: z.string().nullable().meta({
      description: "balance + overdraft_limit: what a debit may still take; null when there is no limit",
      example: "749.25",
    }),
    available_minor: minorText("available in minor units; null when there is no limit", "74925").nullable(),
    limit_updated_at: z.string().nullable().meta({
      description: "When the limit was last set or removed (RFC 3339, UTC); null if never",
      example: "2026-12-01T08:00:00.000Z",
    }),
    limit_updated_by: z.string().nullable().meta({
      description: "The client whose key last set or removed the limit; null if never",
      example: "acme",
    }),
  })
  .meta({ id: "AccountBalance" });
export type AccountBalance = z.infer<typeof AccountBalance>;

export const AccountView = z
  .object({
    account_id: z.string().meta({ example: "ACC-7890" }),
    client_id: z.string().meta({ description: "The client that owns the account", example: "acme" }),
    ledger_account: z.string().meta({
      description: "The ledger's name for the account: customer:<client_id>:<account_id>",
      example: "customer:acme:ACC-7890",
    }),
    as_of: z.string().nullable().meta({
      description: "The moment the balances are as of (RFC 3339, UTC), as asked with ?as_of=; null: now",
      example: null,
    }),
    balances: z.array(AccountBalance).meta({
      description:
        "One balance per currency the account holds, by currency code (as of a moment: those posted in by then). Credits raise it, debits lower it.",
    }),
    last_posting_at: z.string().nullable().meta({
      description:
        "When the last posting on the account was booked (as of a moment: the last by then); null when nothing was ever posted on it",
      example: "2026-12-06T10:15:30.123Z",
    }),
  })
  .meta({
    id: "Account",
    description: "A customer account's balances, with their overdraft limits",
  });
export type AccountView = z.infer<typeof AccountView>;

export const StatementQuery = z.object({
  client_id: clientIdParam,
  currency: CurrencyCode.optional().meta({
    description:
      "The currency of the statement; may be left out only when the account holds exactly one (422 REQUIRED naming them otherwise)",
    example: "USD",
  }),
  from: Moment.optional().meta({ description: "posted_at >= from (RFC 3339, inclusive)" }),
  to: Moment.optional().meta({ description: "posted_at <= to (RFC 3339, inclusive)" }),
  limit: z.coerce.number().int().min(1).max(500).default(50).meta({ description: "Postings per page" }),
  cursor: z.string().max(200).optional().meta({ description: "`next_cursor` of the previous page" }),
});
export type StatementQuery = z.infer<typeof StatementQuery>;

export const StatementEntry = z
  .object({
    transaction_id: z.string().meta({ example: "8d0f7a4e-2a55-4a39-9f4b-6b3f5a8e2c11" }),
    type: z
      .enum(TRANSACTION_REQUEST_TYPES)
      .nullable()
      .meta({ description: "The transaction's kind", example: "payment" }),
    posted_at: z.string().meta({
      description: "When the posting was booked (RFC 3339, UTC)",
      example: "2026-12-06T10:15:30.123Z",
    }),
    amount: z.string().meta({
      description: "Signed exact decimal: positive credits the account, negative debits it",
      example: "-89.99",
    }),
    amount_minor: minorText("The signed amount in minor units", "-8999"),
    balance_after: z
      .string()
      .meta({ description: "The balance right after this posting", example: "-1250.75" }),
    balance_after_minor: minorText("balance_after in minor units", "-125075"),
    seq: z.number().int().meta({
      description: "The posting's number in this account and currency (1, 2, 3, … without gaps)",
      example: 42,
    }),
  })
  .meta({ id: "StatementEntry" });
export type StatementEntry = z.infer<typeof StatementEntry>;

export const Statement = z
  .object({
    account_id: z.string().meta({ example: "ACC-7890" }),
    client_id: z.string().meta({ example: "acme" }),
    ledger_account: z.string().meta({ example: "customer:acme:ACC-7890" }),
    currency: z.string().meta({ example: "USD" }),
    items: z.array(StatementEntry).meta({ description: "Newest first by (posted_at, seq)" }),
    next_cursor: z
      .string()
      .nullable()
      .meta({ description: "Pass as `cursor` for the next (older) postings; null at the end" }),
  })
  .meta({ id: "Statement", description: "An account's postings in one currency, newest first" });
export type Statement = z.infer<typeof Statement>;

export const LimitQuery = z.object({ client_id: clientIdParam });

export const LimitDeleteQuery = z.object({
  client_id: clientIdParam,
  currency: CurrencyCode.meta({ description: "The currency whose limit to remove", example: "USD" }),
});

export const LimitRequest = z
  .object({
    currency: CurrencyCode.meta({ example: "USD" }),
    overdraft_limit: z.string().max(40).meta({
      description:
        'How far below zero the balance may go, as exact decimal text in the currency\'s exponent (at most its decimal places), ≥ 0: "0.00" never lets it go below zero',
      example: "0.00",
    }),
  })
  .strict()
  .meta({ id: "LimitRequest" });
export type LimitRequest = z.infer<typeof LimitRequest>;
