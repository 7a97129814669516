// Kafka's API keys and the error codes a transactional producer meets, by name.

export const ApiKeys = {
  Produce: 0,
  Fetch: 1,
  ListOffsets: 2,
  Metadata: 3,
  OffsetCommit: 8,
  OffsetFetch: 9,
  FindCoordinator: 10,
  JoinGroup: 11,
  Heartbeat: 12,
  LeaveGroup: 13,
  SyncGroup: 14,
  ApiVersions: 18,
  InitProducerId: 22,
  AddPartitionsToTxn: 24,
  AddOffsetsToTxn: 25,
  EndTxn: 26,
  TxnOffsetCommit: 28,
} as const;

const NAMES = new Map<number, string>(Object.entries(ApiKeys).map(([name, key]) => [key, name]));
export const apiName = (key: number): string => NAMES.get(key) ?? `Api${key}`;
/** The error codes a transactional producer meets; others print as their number. */
const ERRORS: Readonly<Record<number, string>> = {
  7: "REQUEST_TIMED_OUT",
  14: "COORDINATOR_LOAD_IN_PROGRESS",
  15: "COORDINATOR_NOT_AVAILABLE",
  16: "NOT_COORDINATOR",
  22: "ILLEGAL_GENERATION",
  25: "UNKNOWN_MEMBER_ID",
  45: "OUT_OF_ORDER_SEQUENCE_NUMBER",
  46: "DUPLICATE_SEQUENCE_NUMBER",
  47: "INVALID_PRODUCER_EPOCH",
  48: "INVALID_TXN_STATE",
  49: "INVALID_PRODUCER_ID_MAPPING",
  51: "CONCURRENT_TRANSACTIONS",
  52: "TRANSACTION_COORDINATOR_FENCED",
  59: "UNKNOWN_PRODUCER_ID",
  90: "PRODUCER_FENCED",
  120: "TRANSACTION_ABORTABLE",
};
export const errorName = (code: number): string => ERRORS[code] ?? `ERROR_${code}`;

/** First flexible version (compact strings, tagged fields) of the APIs whose bodies are read here. */
const FLEXIBLE_FROM: Readonly<Record<number, number>> = {
  [ApiKeys.Produce]: 9,
  [ApiKeys.InitProducerId]: 2,
  [ApiKeys.AddPartitionsToTxn]: 3,
  [ApiKeys.AddOffsetsToTxn]: 3,
  [ApiKeys.EndTxn]: 3,
  [ApiKeys.TxnOffsetCommit]: 3,
};
export const isFlexible = (apiKey: number, version: number): boolean =>
  FLEXIBLE_FROM[apiKey] !== undefined && version >= FLEXIBLE_FROM[apiKey];

/** Whether this module reads the body of the API (the others are recorded by their header only). */
export const bodyIsRead = (apiKey: number): boolean => FLEXIBLE_FROM[apiKey] !== undefined;
