// What the query endpoints return: a transaction's fate as the ledger records it.
import { z } from "zod";

import { TRANSACTION_REQUEST_TYPES } from "./transactionRequest.ts";

export const TRANSACTION_STATUSES = ["posted", "rejected", "dead_lettered", "historical"] as const;

export const TransactionView = z
  .object({
    transaction_id: z.uuid(),
    type: z.enum(TRANSACTION_REQUEST_TYPES).meta({
      description: "The kind of transaction (seeded historical rows: payment)",
      example: "payment",
    }),
    account_id: z.string(),
    amount: z
      .string()
      .meta({ description: "Exact decimal text in the currency's exponent", example: "1250.75" }),
    amount_minor: z
      .string()
      .meta({ description: "Integer minor units (string: may exceed 2^53)", example: "125075" }),
    currency: z.string(),
    base_currency: z.string().nullable(),
    base_amount_minor: z.string().nullable(),
    merchant_name: z.string().nullable(),
    merchant_category: z.string().nullable(),
    counterparty_account_id: z
      .string()
      .nullable()
      .meta({ description: "A transfer's receiving account; null for the other kinds" }),
    original_transaction_id: z.uuid().nullable().meta({
      description:
        "A refund's original transaction, as its ledger id (also when the refund named it by the transaction_id you chose; a refund rejected with ORIGINAL_NOT_FOUND keeps the id it sent); null for the other kinds",
    }),
    refunded_amount: z.string().meta({
      description:
        "How much refunds have given back of this transaction so far, exact decimal text (0 when none; never more than amount)",
      example: "250.00",
    }),
    refunded_amount_minor: z
      .string()
      .meta({ description: "refunded_amount in integer minor units (string)", example: "25000" }),
    status: z.enum(TRANSACTION_STATUSES),
    rejection_reasons: z.array(z.unknown()).nullable(),
    dead_letter_reason: z.string().nullable(),
    risk_flags: z.array(z.string()),
    source: z.enum(["live", "historical"]),
    client_id: z.string().nullable(),
    occurred_at: z.string().nullable(),
    accepted_at: z.string().nullable(),
    posted_at: z.string().nullable(),
    recorded_at: z.string().nullable(),
    metadata: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({ id: "Transaction" });

export type TransactionView = z.infer<typeof TransactionView>;

export const TransactionListQuery = z.object({
  account_id: z.string().max(64).optional(),
  status: z.enum(TRANSACTION_STATUSES).optional(),
  type: z.enum(TRANSACTION_REQUEST_TYPES).optional().meta({ description: "Only transactions of this kind" }),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .optional(),
  from: z.iso.datetime({ offset: true }).optional().meta({ description: "occurred_at >= from (RFC 3339)" }),
  to: z.iso.datetime({ offset: true }).optional().meta({ description: "occurred_at < to (RFC 3339)" }),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  cursor: z.string().max(200).optional().meta({ description: "`next_cursor` of the previous page" }),
});

export type TransactionListQuery = z.infer<typeof TransactionListQuery>;

export const TransactionList = z
  .object({ items: z.array(TransactionView), next_cursor: z.string().nullable() })
  .meta({ id: "TransactionList" });

export const ReportRow = z
  .object({
    transaction_id: z.uuid(),
    account_id: z.string(),
    amount: z.string(),
    currency: z.string(),
    merchant_name: z.string().nullable(),
    status: z.string().meta({ description: "Historical, Completed, Rejected or Dead-lettered" }),
    occurred_at: z.string().nullable(),
  })
  .meta({ id: "ReportRow" });

export const ReportTotal = z
  .object({ status: z.string(), currency: z.string(), count: z.number().int(), amount: z.string() })
  .meta({ id: "ReportTotal" });

export const Report = z
  .object({
    generated_at: z.string(),
    rows: z.array(ReportRow),
    totals: z
      .array(ReportTotal)
      .meta({ description: "Totals by status and currency of every row the filters select" }),
    next_cursor: z.string().nullable().meta({ description: "Pass as `cursor` for the next (older) rows" }),
  })
  .meta({ id: "Report" });

/** GET /reports and /reports.csv: the filters and paging of GET /v1/transactions; a longer default page. */
export const ReportQuery = TransactionListQuery.extend({
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
export type ReportQuery = z.infer<typeof ReportQuery>;

export type ReportRow = z.infer<typeof ReportRow>;
export type ReportTotal = z.infer<typeof ReportTotal>;
export type Report = z.infer<typeof Report>;

/** One component of GET /health or /ready: `detail` (why it is down) only for an ops key. */
export const ComponentHealth = z.object({
  status: z.enum(["up", "down"]),
  detail: z.string().optional(),
});

/** GET /health and GET /ready: `api`, `kafka`, `schema_registry`, `database` as components (seed 000). */
export const HealthReport = z
  .object({
    status: z.enum(["ok", "degraded"]),
    /** GET /health only: when its cached checks ran. */
    checked_at: z.iso.datetime().optional(),
    components: z.record(z.string(), ComponentHealth),
  })
  .meta({ id: "Health" });

/** GET /livez: the process serves HTTP (no dependency is called). */
export const Liveness = z.object({ status: z.literal("ok") }).meta({ id: "Liveness" });
