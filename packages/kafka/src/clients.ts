// Kafka client factories with the settings every ledgerline stage relies on, written once.
import {
  Admin,
  Consumer,
  FetchIsolationLevels,
  ProduceAcks,
  Producer,
  stringDeserializer,
  stringSerializer,
} from "@platformatic/kafka";
import { ownedClientId } from "./processOwner.ts";
import { type KafkaSecurity, securityOptions } from "./security.ts";

export interface KafkaConnection {
  /** host:port list, e.g. ["127.0.0.1:9092"]. */
  readonly bootstrapBrokers: readonly string[];
  readonly clientId: string;
  /**
   * platformatic's `timeout` (default 5 s): how long the broker may take over a produce or admin request,
   * and a transactional producer's transaction timeout (the coordinator aborts a transaction left open longer).
   */
  readonly timeoutMs?: number;
  /**
   * How long one request may wait for its answer before the client drops the connection (platformatic's
   * default: 30 s). The gateway sets it within its ack timeout; tests, to make a slow broker look dead sooner.
   */
  readonly requestTimeoutMs?: number;
  /** Connection-level retries before an operation fails (stages retry with Effect on top). */
  readonly retries?: number;
  /** SASL and TLS for a secured cluster (kafkaSecurityConfig); absent = plain text. */
  readonly security?: KafkaSecurity;
}

export const parseBrokers = (value: string): string[] =>
  value
    .split(",")
    .map((broker) => broker.trim())
    .filter((broker) => broker.length > 0);

/** The settings every client of ours starts from (timeouts, retries, security). */
export const clientBase = (connection: KafkaConnection) => ({
  clientId: connection.clientId,
  bootstrapBrokers: [...connection.bootstrapBrokers],
  timeout: connection.timeoutMs ?? 5_000,
  retries: connection.retries ?? 3,
  retryDelay: 250,
  ...(connection.requestTimeoutMs !== undefined ? { requestTimeout: connection.requestTimeoutMs } : {}),
  ...securityOptions(connection.security),
});

/** Keys are UTF-8 strings (account ids); values are Avro bytes in the Confluent wire format. */
export type RecordProducer = Producer<string, Buffer, string, Buffer>;
export type RecordConsumer = Consumer<string, Buffer, string, Buffer>;

const serializers = { key: stringSerializer, headerKey: stringSerializer };
const deserializers = { key: stringDeserializer, headerKey: stringDeserializer };

/** Idempotent, acks=all: a record the broker acknowledged is durable and never duplicated by retries. */
export const createIdempotentProducer = (connection: KafkaConnection): RecordProducer =>
  new Producer<string, Buffer, string, Buffer>({
    ...clientBase(connection),
    idempotent: true,
    acks: ProduceAcks.ALL,
    serializers,
  });

/** Transactional producer: the transactional id must be stable per instance so a restart fences its zombie. */
export const createTransactionalProducer = (
  connection: KafkaConnection,
  transactionalId: string,
): RecordProducer =>
  new Producer<string, Buffer, string, Buffer>({
    ...clientBase(connection),
    // Right after a commit the coordinator answers CONCURRENT_TRANSACTIONS until its markers are written (a few
    // ms): retry fast and back off exponentially, instead of a flat 250 ms stall on every other transaction.
    retries: Math.max(connection.retries ?? 3, 8),
    retryDelay: (_client: unknown, _operation: string, attempt: number) =>
      Math.min(1_000, 20 * 2 ** (attempt - 1)),
    idempotent: true,
    acks: ProduceAcks.ALL,
    transactionalId,
    // InitProducerId must say "no previous producer" (-1/-1). The client's default (0/0) reads as a request to
    // bump producer 0 epoch 0, which the broker refuses with PRODUCER_FENCED once the id has any history: a
    // restarted instance could then never start again.
    producerId: -1n,
    producerEpoch: -1,
    serializers,
  });

/** How long a group member may go without a heartbeat before the coordinator drops it. */
export const DEFAULT_SESSION_TIMEOUT_MS = 10_000;

/**
 * Consumer for the exactly-once stages: classic group protocol, no autocommit, read_committed.
 * isolationLevel must be the number from FetchIsolationLevels: the string 'READ_COMMITTED' is
 * accepted silently and reads aborted records.
 */
export const createReadCommittedConsumer = (
  connection: KafkaConnection,
  groupId: string,
  options: {
    sessionTimeoutMs?: number;
    heartbeatIntervalMs?: number;
    maxWaitTimeMs?: number;
    minBytes?: number;
    /** Static membership: a restart with the same id takes its partitions back without waiting for the session to expire. */
    groupInstanceId?: string;
  } = {},
): RecordConsumer =>
  new Consumer<string, Buffer, string, Buffer>({
    ...clientBase(connection),
    // A static member names its process (host/pid): claimInstance tells a live holder of the id from a dead one.
    ...(options.groupInstanceId ? { clientId: ownedClientId(connection.clientId) } : {}),
    groupId,
    groupProtocol: "classic",
    ...(options.groupInstanceId ? { groupInstanceId: options.groupInstanceId } : {}),
    autocommit: false,
    isolationLevel: FetchIsolationLevels.READ_COMMITTED,
    sessionTimeout: options.sessionTimeoutMs ?? DEFAULT_SESSION_TIMEOUT_MS,
    heartbeatInterval: options.heartbeatIntervalMs ?? 1_000,
    rebalanceTimeout: 30_000,
    maxWaitTime: options.maxWaitTimeMs ?? 100,
    // The broker answers a fetch once 16 KiB are ready (or after maxWaitTime). With 1 byte, a stage fed by
    // single POSTs fetched a few records at a time, and the broker spent a quarter more CPU at 1,500/s.
    minBytes: options.minBytes ?? 16_384,
    deserializers,
  });

export const createAdmin = (connection: KafkaConnection): Admin => new Admin(clientBase(connection));

export { FetchIsolationLevels, ProduceAcks };
