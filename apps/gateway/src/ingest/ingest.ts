// One ingest decision end to end: validate → (idempotent retry? answer from the ledger) → encode → produce.

import { names } from "@ledgerline/catalogue";
import type { TransactionRequested } from "@ledgerline/contracts";
import type { TransactionRow } from "@ledgerline/ledger-db";
import {
  endSpan,
  kafkaSpanAttributes,
  messagingSpanName,
  SpanKind,
  startSpan,
  type TraceContext,
  traceHeaders,
  tracingEnabled,
} from "@ledgerline/observability";
import { Duration, Effect, Option } from "effect";
import { invalidFields, RequestRejected } from "../errors.ts";
import type { GatewayServices } from "../services/index.ts";
import { decideIngest } from "./toRequested.ts";

export type IngestOutcome =
  | { readonly kind: "accepted"; readonly record: TransactionRequested }
  /** The ledger already holds this id with the same content: its current state. */
  | { readonly kind: "existing"; readonly row: TransactionRow };

/**
 * Looks the id up among this client's transactions in the ledger (bounded: a slow database never slows ingest; on timeout or error
 * we produce anyway and downstream stages deduplicate on the id).
 */
const lookupExisting = (services: GatewayServices, id: string, clientId: string) =>
  services.ledger.get(id, clientId).pipe(
    Effect.timeoutOption(Duration.millis(services.settings.ledgerLookupTimeoutMs)),
    Effect.map(Option.getOrNull),
    Effect.orElseSucceed(() => null),
  );

/** The PRODUCER span `send <topic>` of one record (key = account id, as RequestedProducer sends it). */
const startSendSpan = (services: GatewayServices, record: TransactionRequested, parent?: TraceContext) => {
  const topic = names(services.settings.namespace).topic("requested");
  return startSpan(messagingSpanName("send", topic), parent, {
    kind: SpanKind.PRODUCER,
    attributes: {
      ...kafkaSpanAttributes("send", { topic, key: record.account_id }),
      "ledgerline.transaction_id": record.transaction_id,
    },
  });
};

/**
 * Plain async rather than an Effect: this runs once per request on the hot path, where running an
 * Effect fiber cost more than the validation itself (see README, gateway benchmark). Rejects with
 * RequestRejected or PublishError, which the app's onError maps to problem+json.
 */
export const ingestOne = async (
  services: GatewayServices,
  body: unknown,
  clientId: string,
  idempotencyKey: string | undefined,
  /** The HTTP request span's context (tracing on): parent of the produce span. */
  traceContext?: TraceContext,
): Promise<IngestOutcome> => {
  const decision = decideIngest(body, {
    clientId,
    idempotencyKey,
    now: new Date(),
    maxAmountMinor: services.settings.maxAmountMinor,
  });
  if (!decision.ok) throw invalidFields(decision.errors);
  const { record } = decision;
  if (decision.clientChosenId) {
    const existing = await Effect.runPromise(lookupExisting(services, record.transaction_id, clientId));
    if (existing) {
      if (existing.payload_hash !== null && existing.payload_hash !== decision.hash) {
        throw new RequestRejected({
          reason: "IDEMPOTENCY_CONFLICT",
          detail: `transaction ${record.transaction_id} already exists with a different body`,
        });
      }
      return { kind: "existing", row: existing };
    }
  }
  const value = await services.registry.encodeRequested(record);
  // The send span's traceparent rides in a record header to the processor (tracing on only).
  const span = tracingEnabled() ? startSendSpan(services, record, traceContext) : undefined;
  try {
    await services.producer.publish({
      key: record.account_id,
      value,
      headers: span && traceHeaders(span.context),
    });
  } catch (error) {
    endSpan(span, error);
    throw error;
  }
  endSpan(span);
  return { kind: "accepted", record };
};
