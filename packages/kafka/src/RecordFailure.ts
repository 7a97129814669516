// Why a record could not be turned into outputs: a transient outage (retry) or a poison record (DLQ).
import { Schema } from "effect";

/** Broker/registry unavailable, timeouts: retry the record later without advancing offsets. */
export class TransientFailure extends Schema.TaggedError<TransientFailure>()("TransientFailure", {
  code: Schema.String,
  message: Schema.String,
}) {}

/** The record itself is bad (bytes, schema, content): dead-letter it so its partition moves on. */
export class PoisonRecord extends Schema.TaggedError<PoisonRecord>()("PoisonRecord", {
  /** Machine-readable reason, e.g. NOT_WIRE_FORMAT, UNKNOWN_SCHEMA, ENRICHMENT_FAILED. */
  code: Schema.String,
  errorClass: Schema.String,
  message: Schema.String,
  /** Transaction id, when it could be read from the record. */
  transactionId: Schema.NullOr(Schema.String),
  /** Whether replaying the record unchanged could succeed later. */
  replayable: Schema.Boolean,
}) {}

/** The single error a runner transform may fail with; `reason` says which path the record takes. */
export class RecordFailure extends Schema.TaggedError<RecordFailure>()("RecordFailure", {
  reason: Schema.Union([TransientFailure, PoisonRecord]),
}) {
  get retryable(): boolean {
    return this.reason._tag === "TransientFailure";
  }
  static transient(code: string, message: string): RecordFailure {
    return new RecordFailure({ reason: new TransientFailure({ code, message }) });
  }
  static poison(fields: {
    code: string;
    errorClass: string;
    message: string;
    transactionId?: string | null;
    replayable?: boolean;
  }): RecordFailure {
    return new RecordFailure({
      reason: new PoisonRecord({
        code: fields.code,
        errorClass: fields.errorClass,
        message: fields.message,
        transactionId: fields.transactionId ?? null,
        replayable: fields.replayable ?? false,
      }),
    });
  }
}
