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
         * Customer account the amount is debited from, e.g. ACC-7890. Also the record key.
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
         * Merchant (payee) name as the client sent it.
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
