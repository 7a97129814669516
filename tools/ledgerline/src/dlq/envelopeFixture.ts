// A dead letter's envelope for the DLQ tools' unit tests: a processor's ENRICHMENT_FAILED letter, any field
// replaced by `fields`.
import { names } from "@ledgerline/catalogue";
import type { DeadLetter } from "@ledgerline/contracts";

const ns = names("ns");

export const envelope = (fields: Partial<DeadLetter>): DeadLetter => ({
  transaction_id: null,
  stage: "processor",
  reason_code: "ENRICHMENT_FAILED",
  error_class: "Error",
  error_message: "boom",
  retryable: true,
  original_topic: ns.topic("requested"),
  original_partition: 0,
  original_offset: 1n,
  original_timestamp: new Date("2024-05-01T00:00:00Z"),
  original_key: Buffer.from("ACC-1"),
  original_value: Buffer.from([0, 0, 0, 0, 1, 2]),
  original_headers: {},
  attempts: 1,
  replay_count: 0,
  dead_lettered_at: new Date("2024-05-01T10:00:00Z"),
  ...fields,
});
