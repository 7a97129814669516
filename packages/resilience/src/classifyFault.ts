// Every error a stage can meet, sorted into a FaultReason: the one place that says which errors are
// transient. Kafka errors are read from @platformatic/kafka's error tree; our own packages' errors are
// tagged (RegistryError, LedgerDbError, ConfigError) and matched by `_tag` and `reason`.
import { findErrorBy } from "@platformatic/kafka";
import { isNetworkError } from "./networkError.ts";
import type { FaultReason } from "./StageFault.ts";
import { StageFault } from "./StageFault.ts";

/** Our producer lost its transactional id or sequence state: a new producer is needed. */
const FENCED = [
  "INVALID_PRODUCER_EPOCH",
  "PRODUCER_FENCED",
  "INVALID_PRODUCER_ID_MAPPING",
  "INVALID_TXN_STATE",
  "UNKNOWN_PRODUCER_ID",
  "OUT_OF_ORDER_SEQUENCE_NUMBER",
  "TRANSACTION_COORDINATOR_FENCED",
] as const;

/** The coordinator is not there yet, moved, or busy; Kafka's Java client retries these until they pass. */
const COORDINATOR = [
  "COORDINATOR_LOAD_IN_PROGRESS",
  "COORDINATOR_NOT_AVAILABLE",
  "NOT_COORDINATOR",
  "REBALANCE_IN_PROGRESS",
  "UNKNOWN_MEMBER_ID",
  "ILLEGAL_GENERATION",
  "MEMBER_ID_REQUIRED",
  "CONCURRENT_TRANSACTIONS",
  "UNSTABLE_OFFSET_COMMIT",
] as const;

/** The transaction must be aborted and the batch read again. */
const ABORT = ["TRANSACTION_ABORTABLE", "INVALID_TRANSACTION_TIMEOUT"] as const;

/** Nothing a retry fixes: credentials, ACLs, or two live instances with one static member id. */
const MISCONFIGURED: Readonly<Record<string, string>> = {
  SASL_AUTHENTICATION_FAILED: "check the Kafka credentials of this stage",
  TOPIC_AUTHORIZATION_FAILED:
    "grant this stage's principal the topic ACLs it needs (npm run topology -- acls lists each one)",
  GROUP_AUTHORIZATION_FAILED:
    "grant this stage's principal the consumer group ACL it needs (npm run topology -- acls lists each one)",
  CLUSTER_AUTHORIZATION_FAILED: "grant this stage's principal the cluster ACL it needs",
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED:
    "grant this stage's principal its transactional-id ACL (npm run topology -- acls lists each one)",
  FENCED_INSTANCE_ID:
    "another live instance uses the same instance id (static group member): give each instance its own id",
  UNSUPPORTED_VERSION: "use a Kafka broker of version 3.x or newer",
};

const hasApiId = (error: unknown, ids: readonly string[]): boolean =>
  ids.some((id) => findErrorBy(error as Error, "apiId", id) !== null);

const isKafkaError = (error: unknown): boolean =>
  typeof (error as { code?: unknown })?.code === "string" &&
  String((error as { code: string }).code).startsWith("PLT_KFK_");

const textOf = (error: unknown): string => {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 6 && current; depth++) {
    parts.push(current instanceof Error ? `${current.name}: ${current.message}` : String(current));
    const nested = (current as { errors?: unknown[] }).errors;
    if (Array.isArray(nested)) parts.push(...nested.map((inner) => textOf(inner)));
    current = (current as { cause?: unknown }).cause;
  }
  return parts.join(" <- ");
};

/** Walks the error's nested errors and causes (findErrorBy does not follow `cause`, where a failed
 *  connection keeps its SASL error). */
const inTree = (error: unknown, match: (e: unknown) => boolean, depth = 0): boolean => {
  if (!error || depth > 8) return false;
  if (match(error)) return true;
  const nested = (error as { errors?: unknown[] }).errors;
  if (Array.isArray(nested) && nested.some((inner) => inTree(inner, match, depth + 1))) return true;
  return inTree((error as { cause?: unknown }).cause, match, depth + 1);
};

const kafkaReason = (error: unknown): { reason: FaultReason; fix?: string } => {
  for (const [id, fix] of Object.entries(MISCONFIGURED)) {
    if (hasApiId(error, [id])) return { reason: "Misconfigured", fix };
  }
  if (inTree(error, (e) => (e as { code?: unknown }).code === "PLT_KFK_AUTHENTICATION")) {
    return { reason: "Misconfigured", fix: "check the Kafka credentials of this stage" };
  }
  if (hasApiId(error, FENCED) || findErrorBy(error as Error, "producerFenced", true) !== null) {
    return { reason: "Fenced" };
  }
  if (hasApiId(error, ABORT)) return { reason: "Aborted" };
  if (hasApiId(error, COORDINATOR)) return { reason: "CoordinatorUnavailable" };
  // Validation of what we passed the client is our bug; "client closed" is a race with our own renewal.
  const userError = findErrorBy(error as Error, "code", "PLT_KFK_USER") as Error | null;
  // A fetch for a node the cluster's metadata no longer lists (a broker of a cluster died and its
  // partitions moved to others): reading again from a new stream finds the new leaders.
  if (userError && /Cannot find broker with node id/i.test(userError.message))
    return { reason: "BrokerUnavailable" };
  if (userError && !/closed/i.test(userError.message)) return { reason: "Defect" };
  if (userError) return { reason: "StreamClosed" };
  // Everything else the client raises (network errors, timeouts, no leader, unknown topic while a broker
  // restarts, unexpected protocol errors) is an unavailable broker until it answers again.
  return { reason: "BrokerUnavailable" };
};

/** Sorts `error` into a StageFault. A StageFault passes through unchanged. */
export const classifyFault = (error: unknown): StageFault => {
  if (error instanceof StageFault) return error;
  const message = textOf(error);
  const fault = (reason: FaultReason, fix?: string) =>
    new StageFault({ reason, message, ...(fix ? { fix } : {}), cause: error });
  const tagged = error as { _tag?: unknown; retryable?: unknown; reason?: unknown };
  // Database errors: LedgerDbError (packages/ledger-db) classifies by SQLSTATE and says what is retryable.
  if (tagged?._tag === "LedgerDbError") {
    if (tagged.retryable === true) return fault("DatabaseUnavailable");
    // A sink batch for partitions another instance claimed since: read the new assignment.
    if (tagged.reason === "TAKEN_OVER") return fault("StaleOffsets");
    if (tagged.reason === "SCHEMA_MISSING")
      return fault(
        "Misconfigured",
        "migrate the database: node packages/ledger-db/src/migrate.ts (npm start does)",
      );
    if (tagged.reason === "NOT_AUTHORIZED")
      return fault("Misconfigured", "check the user, password and database name in DATABASE_URL");
    return fault("Defect", "the database refused a statement: see the message");
  }
  // A variable that is missing or malformed (Effect Config, or a check of a Config.ts): the message names it.
  if (tagged?._tag === "ConfigError") {
    // Its cause says it all: a check's own sentence (SourceError), or the schema's (naming the variable).
    const cause = (error as { cause?: { _tag?: unknown; message?: unknown } }).cause;
    return new StageFault({
      reason: "Misconfigured",
      // On one line: a schema error names the variable on its second.
      message: String(cause?._tag === "SourceError" ? cause.message : (error as Error).message).replace(
        /\s*\n\s*/g,
        " ",
      ),
      fix: "fix the variable named above (.env.example lists each one)",
      cause: error,
    });
  }
  // Registry errors: RegistryError (packages/schema-registry); only outages are retryable here, a bad
  // schema or payload is the caller's business (a dead letter), never a reason to retry.
  if (tagged?._tag === "RegistryError") {
    if (tagged.reason === "REGISTRY_UNAUTHORIZED")
      return fault(
        "Misconfigured",
        "check the registry credentials (https://user:password@host/... in SCHEMA_REGISTRY_URL)",
      );
    return tagged.reason === "REGISTRY_UNAVAILABLE"
      ? fault("RegistryUnavailable")
      : fault("Misconfigured", "register the schemas first: npm run topology -- apply");
  }
  // A consumer stream that ended under its reader (packages/kafka's BatchReader): a new session reads on.
  if (tagged?._tag === "StreamClosedError") return fault("StreamClosed");
  if (isKafkaError(error)) {
    const { reason, fix } = kafkaReason(error);
    return fault(reason, fix);
  }
  // Errors that only say "the network failed" (from any client).
  if (isNetworkError(message)) return fault("BrokerUnavailable");
  // Anything that declares itself retryable (tagged errors of our own packages).
  if (tagged?.retryable === true) return fault("BrokerUnavailable");
  return fault("Defect");
};

/**
 * One record failed to encode or decode: is it the record's own fault (dead-letter or park it), or not
 * (the registry is down or refuses our credentials, the network failed: the batch fails, and
 * classifyFault decides whether it is retried or fatal)? A RegistryError says so itself.
 */
export const isRecordFault = (error: unknown): boolean => {
  const tagged = error as { _tag?: unknown; recordAtFault?: unknown };
  if (tagged?._tag === "RegistryError") return tagged.recordAtFault === true;
  // Anything else is the record's only when it is no outage and no misconfiguration.
  return classifyFault(error).reason === "Defect";
};
