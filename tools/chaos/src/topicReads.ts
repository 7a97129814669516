// The pipeline's topics as the checker reads them at the end: each from its start to its current end,
// read_committed (and validated/rejected read_uncommitted too, to see aborted output).
import type { Names, TopicId } from "@ledgerline/catalogue";
import type {
  DeadLetter,
  TransactionPosted,
  TransactionRejected,
  TransactionRequested,
} from "@ledgerline/contracts";
import { type KafkaConnection, TRANSACTION_HEADER } from "@ledgerline/kafka";
import { RegistryCodec } from "@ledgerline/schema-registry";
import { readToEnd } from "@ledgerline/testkit";
import type { LedgerRejection } from "./observations.ts";
import { LEDGER_REFUSALS } from "./refusalChecks.ts";

type Isolation = "committed" | "uncommitted";

/** Every record of a topic, from the start to its current end; `decode` picks what the checker needs. */
const readTopic = <T>(
  connection: KafkaConnection,
  topic: string,
  isolation: Isolation,
  decode: (value: Buffer, headers: ReadonlyMap<string, Buffer>) => Promise<T | undefined>,
): Promise<T[]> =>
  readToEnd({
    connection,
    topic,
    committed: isolation === "committed",
    decode: (message) => decode(message.value, message.headers),
  });

/** A transactions.rejected record: whose, why, when, and the whole event (to tell a re-publication). */
interface RejectedRecord extends LedgerRejection {
  readonly transactionId: string;
  readonly byLedger: boolean;
  readonly fingerprint: string;
  readonly txn: string | undefined;
}

/** One of the processor's outputs: the id it is about (a dead letter may have none), and its transaction tag. */
interface Output {
  readonly id: string | undefined;
  readonly txn: string | undefined;
}

/** What the checker sees of one processor transaction: its size (from its tag) and its outputs read. */
export interface TransactionView {
  readonly size: number;
  committed: number;
  uncommitted: number;
}

const txnOf = (headers: ReadonlyMap<string, Buffer>) => headers.get(TRANSACTION_HEADER)?.toString("utf8");

/** Every tagged output, read_committed and read_uncommitted, counted per processor transaction. */
const transactionsOf = (committed: readonly Output[], uncommitted: readonly Output[]) => {
  const views = new Map<string, TransactionView>();
  const count = (outputs: readonly Output[], field: "committed" | "uncommitted") => {
    for (const { txn } of outputs) {
      if (txn === undefined) continue;
      const view = views.get(txn) ?? { size: Number(txn.split("/")[1] ?? 0), committed: 0, uncommitted: 0 };
      view[field] += 1;
      views.set(txn, view);
    }
  };
  count(committed, "committed");
  count(uncommitted, "uncommitted");
  return views;
};

const jsonOf = (value: unknown) =>
  JSON.stringify(value, (_, v) => (typeof v === "bigint" ? v.toString() : v));

/** What the topics hold, per transaction id, for the checker. */
export const readTopics = async (connection: KafkaConnection, registryUrl: string, resolved: Names) => {
  const codec = new RegistryCodec({ url: registryUrl, names: resolved });
  const topic = (id: TopicId) => resolved.topic(id);
  const outputOf = (id: TopicId) => async (value: Buffer, headers: ReadonlyMap<string, Buffer>) => ({
    id: (await codec.decode<{ transaction_id: string }>(id, value)).transaction_id,
    txn: txnOf(headers),
  });
  // transactions.rejected holds the processor's rejections and, since limits, the ledger's own refusals
  // (published by the outbox relay): told apart by their reasons, which only the ledger gives.
  const rejectedOf = async (value: Buffer, headers: ReadonlyMap<string, Buffer>): Promise<RejectedRecord> => {
    const event = await codec.decode<TransactionRejected>("rejected", value);
    const reasons = event.reasons.map((r) => r.code);
    return {
      transactionId: event.transaction_id,
      reasons,
      rejectedAtMs: event.rejected_at.getTime(),
      byLedger: reasons.some((r) => LEDGER_REFUSALS.has(r)),
      fingerprint: jsonOf(event),
      txn: txnOf(headers),
    };
  };
  // Only the processor's own dead letters are its outputs (the sink dead-letters conflicts too).
  const processorLetter = async (value: Buffer, headers: ReadonlyMap<string, Buffer>) => {
    const letter = await codec.decode<DeadLetter>("dlq", value);
    return letter.stage === "processor"
      ? { id: letter.transaction_id ?? undefined, txn: txnOf(headers) }
      : undefined;
  };

  const [requested, validated, rejected, dlq, posted, validatedRaw, rejectedRaw, dlqRaw] = await Promise.all([
    readTopic(
      connection,
      topic("requested"),
      "committed",
      async (v) => (await codec.decode<TransactionRequested>("requested", v)).transaction_id,
    ),
    readTopic(connection, topic("validated"), "committed", outputOf("validated")),
    readTopic(connection, topic("rejected"), "committed", rejectedOf),
    readTopic(connection, topic("dlq"), "committed", processorLetter),
    readTopic(connection, topic("posted"), "committed", async (v) => {
      const event = await codec.decode<TransactionPosted>("posted", v);
      return { transactionId: event.transaction_id, eventId: event.event_id };
    }),
    readTopic(connection, topic("validated"), "uncommitted", outputOf("validated")),
    readTopic(connection, topic("rejected"), "uncommitted", rejectedOf),
    readTopic(connection, topic("dlq"), "uncommitted", processorLetter),
  ]);
  const asOutput = (r: RejectedRecord): Output => ({ id: r.transactionId, txn: r.txn });
  const outputs = [...validated, ...rejected.filter((r) => !r.byLedger).map(asOutput), ...dlq];
  const outputsRaw = [...validatedRaw, ...rejectedRaw.filter((r) => !r.byLedger).map(asOutput), ...dlqRaw];
  const processorRejected = rejected.filter((r) => !r.byLedger).map((r) => r.transactionId);
  const committedIds = new Set(outputs.map((o) => o.id));
  const abortedOnly = new Set(
    outputsRaw.flatMap((o) => (o.id !== undefined && !committedIds.has(o.id) ? [o.id] : [])),
  );
  // The ledger's refusals per transaction: distinct events (the same event published twice is one).
  const refusalEvents = new Map<string, { records: number; events: Map<string, LedgerRejection> }>();
  for (const r of rejected.filter((r) => r.byLedger)) {
    const seen = refusalEvents.get(r.transactionId) ?? { records: 0, events: new Map() };
    seen.records += 1;
    seen.events.set(r.fingerprint, { reasons: r.reasons, rejectedAtMs: r.rejectedAtMs });
    refusalEvents.set(r.transactionId, seen);
  }
  // Which transactions each id's committed outputs came in: a duplicate's tags say whether one transaction
  // held both (the input read twice in one batch) or two did (a zombie's commit got through).
  const outputTransactions = new Map<string, string[]>();
  for (const { id, txn } of outputs)
    if (id !== undefined)
      outputTransactions.set(id, [...(outputTransactions.get(id) ?? []), txn ?? "untagged"]);
  const postedEvents = new Map<string, string[]>();
  for (const event of posted)
    postedEvents.set(event.transactionId, [...(postedEvents.get(event.transactionId) ?? []), event.eventId]);
  return {
    requested,
    validated: validated.map((o) => o.id as string),
    processorRejected,
    dlq: dlq.flatMap((o) => (o.id === undefined ? [] : [o.id])),
    abortedOnly,
    transactions: transactionsOf(outputs, outputsRaw),
    outputTransactions,
    refusalEvents,
    postedEvents,
  };
};
