// Generated from schemas/avro/ by `npm run gen:avro` (@ovotech/avro-ts). Do not edit.

export type FxRate = IoLedgerlineTransactions.FxRate;

export declare namespace IoLedgerlineTransactions {
    /**
     * Reference FX rate into the base currency. Compacted topic fx.rates, key = currency.
     */
    export interface FxRate {
        /**
         * ISO 4217 code converted from.
         */
        currency: string;
        /**
         * ISO 4217 code converted to.
         */
        base_currency: string;
        /**
         * Exact rate: 1 unit of currency = rate units of base_currency.
         */
        rate: string;
        /**
         * When the rate was fixed.
         */
        as_of: Date;
        /**
         * Where the rate came from.
         *
         * Default: "reference"
         */
        source: string;
    }
}
