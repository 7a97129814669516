// What a failed transaction becomes, and whether it is aborted first: never after its EndTxn was sent.
import { ProtocolError, TimeoutError } from "@platformatic/kafka";
import { describe, expect, it } from "vitest";
import { transactionFault } from "./commitBatch.ts";

const abortSpy = (result: "ok" | "fails") => {
  const calls: number[] = [];
  const abort = () => {
    calls.push(1);
    return result === "ok" ? Promise.resolve() : Promise.reject(new TimeoutError("Request timed out"));
  };
  return { abort, calls };
};

describe("transactionFault", () => {
  it("aborts a transaction that failed before its commit, and asks for a new producer (Aborted)", async () => {
    const { abort, calls } = abortSpy("ok");
    const fault = await transactionFault(new ProtocolError("TRANSACTION_ABORTABLE"), abort);
    expect(calls).toHaveLength(1);
    expect(fault.reason).toBe("Aborted");
    expect(fault.message).toMatch(/^transaction aborted \(Aborted: /);
  });

  it("sends no second EndTxn after a commit that timed out: its outcome is unknown", async () => {
    const fault = await transactionFault(new TimeoutError("Request timed out"));
    expect(fault.reason).toBe("Aborted");
    expect(fault.message).toMatch(/^commit failed, outcome unknown \(BrokerUnavailable: /);
  });

  it("says when the abort failed too", async () => {
    const { abort } = abortSpy("fails");
    const fault = await transactionFault(new TimeoutError("Request timed out"), abort);
    expect(fault.reason).toBe("Aborted");
    expect(fault.message).toMatch(/its abort failed too/);
  });

  it("keeps fencing and fatal reasons, even when the abort failed too", async () => {
    expect(
      (await transactionFault(new ProtocolError("PRODUCER_FENCED"), abortSpy("fails").abort)).reason,
    ).toBe("Fenced");
    expect(
      (await transactionFault(new ProtocolError("TOPIC_AUTHORIZATION_FAILED"), abortSpy("fails").abort))
        .reason,
    ).toBe("Misconfigured");
  });
});
