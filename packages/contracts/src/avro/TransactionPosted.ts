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
         * Customer account debited.
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
         * Normalised merchant name.
         */
        merchant_name: string;
        /**
         * Merchant category.
         */
        merchant_category: string;
        /**
         * Ledger account debited (the customer account).
         */
        debit_account: string;
        /**
         * Ledger account credited (the merchant's settlement account).
         */
        credit_account: string;
        /**
         * Risk flags raised by enrichment.
         *
         * Default: []
         */
        risk_flags: string[];
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
