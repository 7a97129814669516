// Generated from schemas/avro/ by `npm run gen:avro` (@ovotech/avro-ts). Do not edit.

export type TransactionPosted = IoLedgerlineTransactions.TransactionPosted;

export declare namespace IoLedgerlineTransactions {
    /**
     * A transaction posted to the double-entry ledger, published from the outbox. Topic transactions.posted, key = account_id. Consumers deduplicate on event_id.
     */
    export interface TransactionPosted {
        /**
         * Unique id of this event (the outbox row id): deduplicate on it.
         */
        event_id: string;
        /**
         * The posted transaction.
         */
        transaction_id: string;
        /**
         * The client's customer account the transaction is booked to.
         */
        account_id: string;
        /**
         * Amount in minor units of currency.
         */
        amount_minor: bigint;
        /**
         * ISO 4217 code.
         */
        currency: string;
        /**
         * Amount in base-currency minor units.
         */
        base_amount_minor: bigint;
        /**
         * ISO 4217 code of the base currency.
         */
        base_currency: string;
        /**
         * Normalised merchant name (empty when the kind has no merchant).
         */
        merchant_name: string;
        /**
         * Merchant category.
         */
        merchant_category: string;
        /**
         * Ledger account debited (its posting is negative): the customer for a payment, transfer, cash_out or debit; the system cash account for a cash_in; the original's other leg for a refund.
         */
        debit_account: string;
        /**
         * Ledger account credited (its posting is positive): the merchant's settlement account for a payment, the counterparty customer for a transfer, a system account for cash_out and debit, the customer for a cash_in or refund.
         */
        credit_account: string;
        /**
         * Risk flags raised by enrichment.
         *
         * Default: []
         */
        risk_flags: string[];
        /**
         * The kind of transaction: payment (the customer pays merchant_name), transfer (to counterparty_account_id, a customer account of the same client), cash_in (cash deposited into the account), cash_out (cash withdrawn), debit (an outgoing bank transfer), refund (of original_transaction_id, in part or whole). Added in version 2; records written with version 1 read as payment.
         *
         * Default: "payment"
         */
        type: string;
        /**
         * A transfer's receiving account (the client's account id); null for other kinds. Added in version 2.
         *
         * Default: null
         */
        counterparty_account_id: null | string;
        /**
         * A refund's original transaction (its ledger id); null for other kinds. Added in version 2.
         *
         * Default: null
         */
        original_transaction_id: null | string;
        /**
         * When the transaction happened.
         */
        occurred_at: Date;
        /**
         * When the ledger committed it.
         */
        posted_at: Date;
    }
}
