// Generated from schemas/avro/ by `npm run gen:avro` (@ovotech/avro-ts). Do not edit.

export type DeadLetter = IoLedgerlineTransactions.DeadLetter;

export declare namespace IoLedgerlineTransactions {
    /**
     * Envelope for a record a stage could not process. Topic transactions.dlq, key = original key. The original bytes are kept whole so the record can be inspected and replayed even when they are not valid Avro.
     */
    export interface DeadLetter {
        /**
         * Transaction id when it could be read from the record.
         *
         * Default: null
         */
        transaction_id: null | string;
        /**
         * Stage that dead-lettered it: processor, ledger-sink, dlq-replay.
         */
        stage: string;
        /**
         * Machine-readable reason, e.g. NOT_WIRE_FORMAT, UNKNOWN_SCHEMA, SCHEMA_MISMATCH, ENRICHMENT_FAILED, PAYLOAD_CONFLICT.
         */
        reason_code: string;
        /**
         * Error class name.
         */
        error_class: string;
        /**
         * Error message.
         */
        error_message: string;
        /**
         * Whether replaying the record unchanged can succeed (false for e.g. PAYLOAD_CONFLICT).
         */
        retryable: boolean;
        /**
         * Topic the record was read from.
         */
        original_topic: string;
        /**
         * Partition the record was read from.
         */
        original_partition: number;
        /**
         * Offset of the record.
         */
        original_offset: bigint;
        /**
         * Timestamp of the original record.
         */
        original_timestamp: Date;
        /**
         * Original key bytes.
         *
         * Default: null
         */
        original_key: null | Buffer;
        /**
         * Original value bytes (Confluent wire format when it was valid).
         *
         * Default: null
         */
        original_value: null | Buffer;
        /**
         * Original record headers.
         *
         * Default: {}
         */
        original_headers: {
            [index: string]: Buffer;
        };
        /**
         * Processing attempts made before dead-lettering.
         */
        attempts: number;
        /**
         * How many times this record has been replayed from the DLQ already.
         *
         * Default: 0
         */
        replay_count: number;
        /**
         * When it was dead-lettered.
         */
        dead_lettered_at: Date;
    }
}
