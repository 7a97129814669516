import { describe, expect, it } from "vitest";
import { decideInstanceClaim, type StaticMember } from "./instanceClaim.ts";
import { ownedClientId, ownerOf } from "./processOwner.ts";

const self = { host: "box-a", pid: 4242 };
const member = (groupInstanceId: string | null, clientId: string): StaticMember => ({
  memberId: `m-${groupInstanceId}`,
  groupInstanceId,
  clientId,
  clientHost: "/127.0.0.1",
});
const decide = (members: StaticMember[], alive: readonly number[] = []) =>
  decideInstanceClaim({
    groupInstanceId: "ledgerline.processor.0",
    self,
    members,
    isAlive: (pid) => alive.includes(pid),
  });

describe("decideInstanceClaim", () => {
  it("is free when no member has the id", () => {
    expect(
      decide([member("ledgerline.processor.1", ownedClientId("p-1", { host: "box-a", pid: 1 }))]),
    ).toEqual({ _tag: "Free" });
  });

  it("takes over from a process of this host that no longer runs (a SIGKILLed predecessor)", () => {
    const previous = { host: "box-a", pid: 77 };
    expect(decide([member("ledgerline.processor.0", ownedClientId("p-0", previous))])).toEqual({
      _tag: "TakeOver",
      previous,
    });
  });

  it("refuses when a live process of this host has the id", () => {
    const holder = member("ledgerline.processor.0", ownedClientId("p-0", { host: "box-a", pid: 77 }));
    expect(decide([holder], [77])).toEqual({ _tag: "InUse", member: holder });
  });

  it("is free when the member is this very process (a renewed consumer)", () => {
    expect(decide([member("ledgerline.processor.0", ownedClientId("p-0", self))], [self.pid])._tag).toBe(
      "Free",
    );
  });

  it("waits one session for a member of another host, or one without an owner tag", () => {
    const elsewhere = member("ledgerline.processor.0", ownedClientId("p-0", { host: "box-b", pid: 77 }));
    expect(decide([elsewhere], [77])).toEqual({ _tag: "WaitForSession", member: elsewhere });
    const untagged = member("ledgerline.processor.0", "some-other-client");
    expect(decide([untagged])).toEqual({ _tag: "WaitForSession", member: untagged });
  });

  it("reads the owner back from a client id", () => {
    expect(
      ownerOf(ownedClientId("ledgerline-processor-0", { host: "ip-10-0-0-1.ec2.internal", pid: 9 })),
    ).toEqual({
      host: "ip-10-0-0-1.ec2.internal",
      pid: 9,
    });
    expect(ownerOf("ledgerline-processor-0")).toBeUndefined();
  });
});
