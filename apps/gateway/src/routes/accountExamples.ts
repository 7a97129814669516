// The examples of an account's view in the OpenAPI document (GET the account, PUT a limit).

export const BALANCE_EXAMPLE = {
  currency: "USD",
  balance: "-1250.75",
  balance_minor: "-125075",
  updated_at: "2026-12-06T10:15:30.123Z",
  overdraft_limit: "2000.00",
  overdraft_limit_minor: "200000",
  available: "749.25",
  available_minor: "74925",
  limit_updated_at: "2026-12-01T08:00:00.000Z",
  limit_updated_by: "acme",
};

export const ACCOUNT_EXAMPLE = {
  account_id: "ACC-7890",
  client_id: "acme",
  ledger_account: "customer:acme:ACC-7890",
  as_of: null,
  balances: [
    {
      currency: "BHD",
      balance: "12.345",
      balance_minor: "12345",
      updated_at: "2026-12-06T09:00:00.000Z",
      overdraft_limit: null,
      overdraft_limit_minor: null,
      available: null,
      available_minor: null,
      limit_updated_at: null,
      limit_updated_by: null,
    },
    BALANCE_EXAMPLE,
  ],
  last_posting_at: "2026-12-06T10:15:30.123Z",
};
