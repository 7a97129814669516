// The kinds of transaction and the double entry each one books: which ledger account is debited (its
// posting is negative) and which is credited (positive). Pure; the gateway, the processor, the sink and
// the ledger invariants all read the rules from here.

export const TRANSACTION_TYPES = ["payment", "transfer", "cash_in", "cash_out", "debit", "refund"] as const;
export type TransactionType = (typeof TRANSACTION_TYPES)[number];

export const isTransactionType = (value: string): value is TransactionType =>
  (TRANSACTION_TYPES as readonly string[]).includes(value);

/** What each kind needs besides the money: the fields it requires, and the ones that do not belong to it. */
export const KIND_FIELDS: Readonly<
  Record<
    TransactionType,
    {
      readonly merchant_name: "required" | "optional";
      readonly counterparty_account_id: "required" | "forbidden";
      readonly original_transaction_id: "required" | "forbidden";
    }
  >
> = {
  payment: {
    merchant_name: "required",
    counterparty_account_id: "forbidden",
    original_transaction_id: "forbidden",
  },
  transfer: {
    merchant_name: "optional",
    counterparty_account_id: "required",
    original_transaction_id: "forbidden",
  },
  cash_in: {
    merchant_name: "optional",
    counterparty_account_id: "forbidden",
    original_transaction_id: "forbidden",
  },
  cash_out: {
    merchant_name: "optional",
    counterparty_account_id: "forbidden",
    original_transaction_id: "forbidden",
  },
  debit: {
    merchant_name: "optional",
    counterparty_account_id: "forbidden",
    original_transaction_id: "forbidden",
  },
  refund: {
    merchant_name: "optional",
    counterparty_account_id: "forbidden",
    original_transaction_id: "required",
  },
};

/** The kinds a refund may point at: those that took money out of the customer's account. */
export const REFUNDABLE_TYPES: readonly TransactionType[] = ["payment", "transfer", "cash_out", "debit"];

/** The system's own accounts: the other leg of cash movements and outgoing bank transfers. */
export const SYSTEM_ACCOUNTS = {
  /** Cash held by the system: a cash_in takes from it, a cash_out gives to it. */
  cash: "system:cash",
  /** Money on its way out to other banks (PaySim's DEBIT). */
  bankTransfersOut: "system:bank-transfers-out",
} as const;

/**
 * A customer's ledger account: owned by its client, so client A's ACC-1 and client B's ACC-1 are two
 * accounts. Account ids hold no ':' (the processor's ACCOUNT_ID), so the last ':' separates the account.
 */
export const customerAccount = (clientId: string, accountId: string) => `customer:${clientId}:${accountId}`;

/** A merchant's settlement account, named by its normalised name so spelling variants meet. */
export const merchantSettlementAccount = (merchantName: string) =>
  `merchant:${merchantName.trim().replace(/\s+/g, " ").toUpperCase()}`;

/** The account debited (negative posting) and the one credited (positive posting). */
export interface Legs {
  readonly debit: string;
  readonly credit: string;
}

/** What a transaction's legs are decided from (a refund's also from its original's legs). */
export interface KindedTransaction {
  readonly type: TransactionType;
  readonly clientId: string;
  readonly accountId: string;
  readonly merchantName: string;
  readonly counterpartyAccountId: string | null;
}

/** The legs of every kind but refund, whose legs are its original's reversed (refundLegs). */
export const legsOf = (transaction: KindedTransaction): Legs => {
  const customer = customerAccount(transaction.clientId, transaction.accountId);
  switch (transaction.type) {
    case "payment":
      return { debit: customer, credit: merchantSettlementAccount(transaction.merchantName) };
    case "transfer":
      return {
        debit: customer,
        credit: customerAccount(transaction.clientId, transaction.counterpartyAccountId ?? ""),
      };
    case "cash_in":
      return { debit: SYSTEM_ACCOUNTS.cash, credit: customer };
    case "cash_out":
      return { debit: customer, credit: SYSTEM_ACCOUNTS.cash };
    case "debit":
      return { debit: customer, credit: SYSTEM_ACCOUNTS.bankTransfersOut };
    case "refund":
      throw new Error("a refund's legs come from its original: use refundLegs");
  }
};

/** A refund credits the customer and debits the original's other leg: the original, reversed. */
export const refundLegs = (original: Legs): Legs => ({ debit: original.credit, credit: original.debit });

/** A transaction as the ledger recorded it (a `transactions` row: nullable where a dead letter has nothing). */
export interface RecordedTransaction {
  readonly type: string;
  readonly client_id: string | null;
  readonly account_id: string | null;
  readonly merchant_name: string | null;
  readonly counterparty_account_id: string | null;
}

/**
 * The legs a recorded transaction booked by its kind (a refund's original, a row the ledger checks);
 * undefined for a refund, whose legs are its original's reversed, and for an unknown kind.
 */
export const legsOfRecorded = (row: RecordedTransaction): Legs | undefined =>
  isTransactionType(row.type) && row.type !== "refund"
    ? legsOf({
        type: row.type,
        clientId: row.client_id ?? "external",
        accountId: row.account_id ?? "",
        merchantName: row.merchant_name ?? "",
        counterpartyAccountId: row.counterparty_account_id,
      })
    : undefined;

/** The two postings of an amount between two legs: they sum to zero. */
export const postingsOf = (legs: Legs, amountMinor: bigint) =>
  [
    { ledgerAccount: legs.debit, amountMinor: -amountMinor },
    { ledgerAccount: legs.credit, amountMinor },
  ] as const;
