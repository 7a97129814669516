// The fault classifier against the real error objects of @platformatic/kafka and our own packages.

import { logLevelConfig } from "@ledgerline/observability";
import { MultipleErrors, NetworkError, ProtocolError, TimeoutError, UserError } from "@platformatic/kafka";
import { Config, ConfigProvider, Effect } from "effect";
import { describe, expect, it } from "vitest";
import { classifyFault, isRecordFault, networkFailure, StageFault } from "../src/index.ts";

const reasonOf = (error: unknown) => classifyFault(error).reason;

describe("classifyFault", () => {
  it("retries what a new or restarting broker answers, as Kafka's Java client does", () => {
    for (const id of [
      "COORDINATOR_LOAD_IN_PROGRESS",
      "COORDINATOR_NOT_AVAILABLE",
      "NOT_COORDINATOR",
      "REBALANCE_IN_PROGRESS",
    ]) {
      expect(reasonOf(new ProtocolError(id))).toBe("CoordinatorUnavailable");
    }
    // The exact shape the issue reported: a join that failed 4 times, as one AggregateError.
    const joinFailed = new MultipleErrors("joinGroup failed 4 times.", [
      new ProtocolError("NOT_COORDINATOR"),
      new ProtocolError("COORDINATOR_LOAD_IN_PROGRESS"),
    ]);
    expect(reasonOf(joinFailed)).toBe("CoordinatorUnavailable");
  });

  it("treats connection errors, timeouts and a missing leader as an unavailable broker", () => {
    expect(
      reasonOf(
        new NetworkError("Connection to 127.0.0.1:9092 failed.", {
          cause: new Error("connect ECONNREFUSED"),
        }),
      ),
    ).toBe("BrokerUnavailable");
    expect(reasonOf(new TimeoutError("Request timed out."))).toBe("BrokerUnavailable");
    expect(reasonOf(new ProtocolError("LEADER_NOT_AVAILABLE"))).toBe("BrokerUnavailable");
    expect(reasonOf(new ProtocolError("UNKNOWN_TOPIC_OR_PARTITION"))).toBe("BrokerUnavailable");
  });

  it("asks for a new producer when ours was fenced", () => {
    expect(reasonOf(new ProtocolError("PRODUCER_FENCED"))).toBe("Fenced");
    expect(reasonOf(new ProtocolError("INVALID_PRODUCER_EPOCH"))).toBe("Fenced");
    expect(reasonOf(new MultipleErrors("send failed", [new ProtocolError("INVALID_TXN_STATE")]))).toBe(
      "Fenced",
    );
  });

  it("stops on what no retry can fix, and says how to fix it", () => {
    const acl = classifyFault(new ProtocolError("TOPIC_AUTHORIZATION_FAILED"));
    expect(acl.reason).toBe("Misconfigured");
    expect(acl.fix).toMatch(/ACL/);
    expect(classifyFault(new ProtocolError("FENCED_INSTANCE_ID")).fix).toMatch(/instance id/);
    expect(reasonOf(new UserError("/options/topics must be array"))).toBe("Defect");
    // A cluster's broker died: the metadata no longer lists the node a fetch was for (not our bug).
    expect(
      reasonOf(
        new MultipleErrors("fetch failed 3 times.", [new UserError("Cannot find broker with node id 2")]),
      ),
    ).toBe("BrokerUnavailable");
    expect(reasonOf(new TypeError("cannot read properties of undefined"))).toBe("Defect");
  });

  it("reads the tag and reason of registry and database errors", () => {
    const registryDown = {
      _tag: "RegistryError",
      reason: "REGISTRY_UNAVAILABLE",
      message: "registry did not answer",
    };
    const unknownSchema = { _tag: "RegistryError", reason: "UNKNOWN_SCHEMA", message: "not registered" };
    const unauthorized = { _tag: "RegistryError", reason: "REGISTRY_UNAUTHORIZED", message: "HTTP 401" };
    expect(reasonOf(registryDown)).toBe("RegistryUnavailable");
    expect(reasonOf(unknownSchema)).toBe("Misconfigured");
    expect(classifyFault(unauthorized)).toMatchObject({
      reason: "Misconfigured",
      fix: expect.stringMatching(/SCHEMA_REGISTRY_URL/),
    });
    // Matched by tag, not by name: an Error that only calls itself RegistryError is not one.
    expect(reasonOf(Object.assign(new Error("x"), { name: "RegistryError" }))).toBe("Defect");
    const dbDown = { _tag: "LedgerDbError", reason: "CONNECTION_LOST", retryable: true, message: "lost" };
    const noTable = {
      _tag: "LedgerDbError",
      reason: "SCHEMA_MISSING",
      retryable: false,
      message: "no table",
    };
    expect(reasonOf(dbDown)).toBe("DatabaseUnavailable");
    expect(classifyFault(noTable)).toMatchObject({
      reason: "Misconfigured",
      fix: expect.stringMatching(/migrat/),
    });
  });

  it("calls every configuration error Misconfigured, in one line naming the variable", async () => {
    const provider = ConfigProvider.fromUnknown({ LOG_LEVEL: "bogus", PORT: "x" });
    const logLevel = await Effect.runPromise(Effect.flip(logLevelConfig.parse(provider)));
    expect(classifyFault(logLevel)).toMatchObject({
      reason: "Misconfigured",
      message: expect.stringMatching(/^LOG_LEVEL must be one of .*got "bogus"$/),
    });
    const port = await Effect.runPromise(Effect.flip(Config.Int("PORT").parse(provider)));
    const fault = classifyFault(port);
    expect(fault.reason).toBe("Misconfigured");
    expect(fault.message).not.toContain("\n");
    expect(fault.message).toContain("PORT");
  });

  it("has one rule for network failures, shared by every client", () => {
    expect(networkFailure("connect ECONNREFUSED 127.0.0.1:5432")).toBe("CannotConnect");
    expect(networkFailure("getaddrinfo ENOTFOUND registry")).toBe("CannotConnect");
    expect(networkFailure("look up x: registry did not answer: request timed out")).toBe("CannotConnect");
    expect(networkFailure("read ECONNRESET")).toBe("ConnectionLost");
    expect(networkFailure("Connection to 127.0.0.1:9092 closed")).toBe("ConnectionLost");
    expect(networkFailure("duplicate key value violates unique constraint")).toBeUndefined();
    expect(reasonOf(new Error("socket hang up"))).toBe("BrokerUnavailable");
    expect(reasonOf(new Error("Cannot read properties of undefined"))).toBe("Defect");
  });

  it("passes a StageFault through unchanged", () => {
    const fault = new StageFault({ reason: "StaleOffsets", message: "p0 starts at 3 but 5 is committed" });
    expect(classifyFault(fault)).toBe(fault);
  });
});

describe("classifyFault on tags", () => {
  it("reads a stream that ended under its reader as StreamClosed, retried with a new consumer", () => {
    expect(reasonOf({ _tag: "StreamClosedError", message: "consumer stream closed" })).toBe("StreamClosed");
  });
});

describe("isRecordFault", () => {
  const registryError = (reason: string, recordAtFault: boolean) =>
    Object.assign(new Error(reason), { _tag: "RegistryError", reason, recordAtFault });

  it("dead-letters a record the registry says is at fault, never one it refused for its own reasons", () => {
    expect(isRecordFault(registryError("SCHEMA_MISMATCH", true))).toBe(true);
    expect(isRecordFault(registryError("REGISTRY_UNAVAILABLE", false))).toBe(false);
    // Wrong credentials are fatal to the stage (Misconfigured), not a reason to dead-letter every record.
    expect(isRecordFault(registryError("REGISTRY_UNAUTHORIZED", false))).toBe(false);
  });

  it("calls a plain encoding error the record's, and a network failure not", () => {
    expect(isRecordFault(new Error("invalid value for field amount_minor"))).toBe(true);
    expect(isRecordFault(new Error("connect ECONNREFUSED 127.0.0.1:8081"))).toBe(false);
  });
});
