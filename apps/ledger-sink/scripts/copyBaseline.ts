// bench:sink's baseline: the rows the sink writes for the same records (transactions, postings, outbox),
// booked and numbered as its plan and writer do, COPYed into a fresh schema in one transaction.
import { randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { TransactionValidated } from "@ledgerline/contracts";
import { legsOf } from "@ledgerline/domain";
import type { TransactionInsert } from "@ledgerline/ledger-db";
import { balanceDeltas, balanceKey, numberPostings } from "@ledgerline/ledger-db";
import pg from "pg";
import { from as copyFrom } from "pg-copy-streams";
import { batchBalances } from "../src/domain/balances.ts";
import { validatedEntry } from "../src/domain/toLedgerRows.ts";

/** COPYs the rows of `records` into the database at `databaseUrl`; how long it took and what it wrote. */
export const copyBaseline = async (records: readonly TransactionValidated[], databaseUrl: string) => {
  const now = new Date();
  const legsFor = (value: (typeof records)[number]) =>
    legsOf({
      type: "payment",
      clientId: value.client_id,
      accountId: value.account_id,
      merchantName: value.merchant_name,
      counterpartyAccountId: null,
    });
  // Booked as the sink's plan books them, numbered as its writer numbers them (every account starts empty).
  const balances = batchBalances(new Map());
  const entries = records.map((value) => {
    const legs = legsFor(value);
    return validatedEntry(value, {
      eventId: randomUUID(),
      now,
      traceparent: null,
      legs,
      postings: balances.post(value.transaction_id, legs, value.currency, value.amount_minor),
      refund: null,
    });
  });
  const booked = entries.flatMap((entry) => entry.postings);
  const numbered = numberPostings(
    booked,
    new Map(
      balanceDeltas(booked).map((d) => [
        balanceKey(d.ledger_account, d.currency),
        { balance_minor: d.delta_minor, last_seq: d.count },
      ]),
    ),
  );
  const text = (value: unknown): string => {
    if (value === null || value === undefined) return "\\N";
    const s = typeof value === "string" ? value : JSON.stringify(value);
    return s.replace(/\\/g, "\\\\").replace(/\t/g, "\\t").replace(/\n/g, "\\n").replace(/\r/g, "\\r");
  };
  const pgArray = (items: readonly string[]) =>
    `{${items.map((i) => `"${i.replace(/(["\\])/g, "\\$1")}"`).join(",")}}`;
  const txColumns = [
    "transaction_id",
    "account_id",
    "amount_minor",
    "currency",
    "base_currency",
    "base_amount_minor",
    "fx_rate",
    "fx_rate_as_of",
    "merchant_name",
    "merchant_category",
    "status",
    "rejection_reasons",
    "dead_letter_reason",
    "risk_flags",
    "occurred_at",
    "accepted_at",
    "posted_at",
    "client_id",
    "payload_hash",
    "metadata",
  ] as const;
  const txLines = entries.map((c) =>
    txColumns
      .map((column) => {
        const value = c.row[column as keyof TransactionInsert];
        return column === "risk_flags" ? text(pgArray(value as string[])) : text(value);
      })
      .join("\t"),
  );
  const postingLines = numbered.map((p) =>
    [
      p.transaction_id,
      p.ledger_account,
      p.currency,
      p.amount_minor.toString(),
      p.account_seq.toString(),
      p.balance_after_minor.toString(),
    ]
      .map(text)
      .join("\t"),
  );
  const outboxLines = entries.flatMap((c) =>
    c.events.map((e) => [e.event_id, e.aggregate_id, e.event_type, e.payload].map(text).join("\t")),
  );
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const copy = async (statement: string, lines: readonly string[]) => {
    const chunks = function* () {
      for (let i = 0; i < lines.length; i += 5_000) yield `${lines.slice(i, i + 5_000).join("\n")}\n`;
    };
    await pipeline(Readable.from(chunks()), client.query(copyFrom(statement)));
  };
  const copyStart = performance.now();
  await client.query("BEGIN");
  await copy(`COPY transactions (${txColumns.join(", ")}) FROM STDIN`, txLines);
  await copy(
    "COPY postings (transaction_id, ledger_account, currency, amount_minor, account_seq, balance_after_minor) FROM STDIN",
    postingLines,
  );
  await copy("COPY outbox (event_id, aggregate_id, event_type, payload) FROM STDIN", outboxLines);
  await client.query("COMMIT");
  const copySeconds = (performance.now() - copyStart) / 1_000;
  await client.end();
  return { copySeconds, postings: postingLines.length, outboxRows: outboxLines.length };
};
