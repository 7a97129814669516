// Generated from schemas/avro/ by `npm run gen:avro` (@ovotech/avro-ts). Do not edit.

export type TransactionValidated = IoLedgerlineTransactions.TransactionValidated;

export declare namespace IoLedgerlineTransactions {
    /**
     * A transaction that passed validation, enriched with merchant category, base-currency amount and risk flags. Topic transactions.validated.
     */
    export interface TransactionValidated {
        /**
         * Unique id of the transaction (UUID). Retries of the same transaction MUST reuse it: every stage deduplicates on it.
         */
        transaction_id: string;
        /**
         * The client's customer account the transaction is booked to (debited by a payment, transfer, cash_out or debit; credited by a cash_in or refund), e.g. ACC-7890. Also the record key.
         */
        account_id: string;
        /**
         * Amount in integer minor units of `currency` (ISO 4217 exponent): 1250.75 USD is 125075, 500 JPY is 500, 1.234 BHD is 1234. Always positive.
         */
        amount_minor: bigint;
        /**
         * ISO 4217 alphabetic code, upper case (USD, EUR, JPY, BHD).
         */
        currency: string;
        /**
         * Merchant (payee) name as the client sent it: required for a payment, may be empty for the other kinds.
         */
        merchant_name: string;
        /**
         * When the transaction happened, per the client (UTC, milliseconds).
         */
        occurred_at: Date;
        /**
         * When the producing system accepted the request (UTC, milliseconds).
         */
        accepted_at: Date;
        /**
         * Upstream system that submitted the transaction (its API client id).
         *
         * Default: "external"
         */
        client_id: string;
        /**
         * Idempotency-Key the client sent, if any.
         *
         * Default: null
         */
        idempotency_key: null | string;
        /**
         * Small flat map of client-supplied attributes (e.g. PaySim type).
         *
         * Default: {}
         */
        metadata: {
            [index: string]: string;
        };
        /**
         * The kind of transaction: payment (the customer pays merchant_name), transfer (to counterparty_account_id, a customer account of the same client), cash_in (cash deposited into the account), cash_out (cash withdrawn), debit (an outgoing bank transfer), refund (of original_transaction_id, in part or whole). Added in version 2; records written with version 1 read as payment.
         *
         * Default: "payment"
         */
        type: string;
        /**
         * A transfer's receiving account, a customer account of the same client (required for transfer, absent otherwise). Added in version 2.
         *
         * Default: null
         */
        counterparty_account_id: null | string;
        /**
         * A refund's original transaction: its ledger id, or the id the client chose for it (required for refund, absent otherwise). Added in version 2.
         *
         * Default: null
         */
        original_transaction_id: null | string;
        /**
         * Merchant category from the reference table (e.g. retail, travel, transfer, unknown).
         */
        merchant_category: string;
        /**
         * ISO 4217 code of the ledger's base currency.
         */
        base_currency: string;
        /**
         * amount_minor converted to base_currency minor units, rounded half-even.
         */
        base_amount_minor: bigint;
        /**
         * Exact rate used: 1 unit of currency = fx_rate units of base_currency.
         */
        fx_rate: string;
        /**
         * Timestamp of the rate used.
         */
        fx_rate_as_of: Date;
        /**
         * Risk flags raised by enrichment (e.g. LARGE_AMOUNT, PAYSIM_LARGE_TRANSFER, PAYSIM_FRAUD).
         *
         * Default: []
         */
        risk_flags: string[];
        /**
         * SHA-256 (hex) of the transaction's canonical content; a transaction id reused with a different hash is a conflict.
         */
        payload_hash: string;
        /**
         * When the processor validated it.
         */
        validated_at: Date;
    }
}
