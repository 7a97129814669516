// What GET /v1/accounts/{account_id} takes and returns: a customer account's current balances.
import { z } from "zod";

import { AccountId } from "./transactionRequest.ts";

/** An API client's id (the format of GATEWAY_API_KEYS' client ids). */
export const ClientId = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, "1-64 letters, digits, '.', '_' or '-'");

export const AccountParams = z.object({
  account_id: AccountId.meta({
    description: "The account id the client sends as a transaction's account_id",
    example: "ACC-7890",
  }),
});

export const AccountQuery = z.object({
  client_id: ClientId.optional().meta({
    description:
      "Whose account: required with an ops-only key (422 without it); a read key sees only its own client's accounts, so it may leave it out (its own client) or must name its own client (403 otherwise); a key with read and ops may name any client",
    example: "acme",
  }),
});
export type AccountQuery = z.infer<typeof AccountQuery>;

export const AccountBalance = z
  .object({
    currency: z.string().meta({ description: "ISO 4217 code", example: "USD" }),
    balance: z.string().meta({
      description:
        "Exact decimal text in the currency's exponent (USD 2 places, JPY 0, BHD 3); negative when the account owes",
      example: "-1250.75",
    }),
    balance_minor: z.string().meta({
      description: "The balance in integer minor units (string: may exceed 2^53)",
      example: "-125075",
    }),
    updated_at: z.string().meta({
      description: "When a posting last moved this balance (RFC 3339, UTC)",
      example: "2026-12-06T10:15:30.123Z",
    }),
  })
  .meta({ id: "AccountBalance" });

export const AccountView = z
  .object({
    account_id: z.string().meta({ example: "ACC-7890" }),
    client_id: z.string().meta({ description: "The client that owns the account", example: "acme" }),
    ledger_account: z.string().meta({
      description: "The ledger's name for the account: customer:<client_id>:<account_id>",
      example: "customer:acme:ACC-7890",
    }),
    balances: z.array(AccountBalance).meta({
      description:
        "One balance per currency the account has been posted in, by currency code. Credits raise it, debits lower it.",
    }),
    last_posting_at: z.string().meta({
      description: "When the last posting on the account was booked: the latest updated_at of its balances",
      example: "2026-12-06T10:15:30.123Z",
    }),
  })
  .meta({
    id: "Account",
    description: "A customer account's current balances. (Overdraft limits are not part of the API yet.)",
  });
export type AccountView = z.infer<typeof AccountView>;
