import { describe, expect, it } from "vitest";
import { resumePosition } from "../src/index.ts";

const log = { topic: "t", partition: 0, topicId: "id-now", earliest: 10n, latest: 50n };

describe("resumePosition (Postgres is the only truth)", () => {
  it("resumes from the stored position", () => {
    expect(resumePosition({ topic: "t", partition: 0, nextOffset: 30n, topicId: "id-now" }, log)).toEqual(
      expect.objectContaining({ _tag: "Resume", offset: 30n }),
    );
  });

  it("starts a partition the ledger never stored from the log start", () => {
    expect(resumePosition(undefined, log)).toEqual(expect.objectContaining({ _tag: "Start", offset: 10n }));
  });

  it("stops on records deleted before they were applied (a retention gap)", () => {
    const decision = resumePosition({ topic: "t", partition: 0, nextOffset: 4n, topicId: "id-now" }, log);
    expect(decision).toMatchObject({ _tag: "Blocked", reason: "RetentionGap", stored: 4n });
    expect(decision._tag === "Blocked" && decision.detail).toContain("offsets 4 to 9 were deleted");
  });

  it("stops on a position stored for another incarnation of the topic", () => {
    expect(
      resumePosition({ topic: "t", partition: 0, nextOffset: 98_348n, topicId: "id-before" }, log),
    ).toMatchObject({
      _tag: "Blocked",
      reason: "OtherTopic",
    });
  });

  it("stops on a position beyond the log end (stored before topic ids were)", () => {
    expect(
      resumePosition({ topic: "t", partition: 0, nextOffset: 98_348n, topicId: null }, log),
    ).toMatchObject({
      _tag: "Blocked",
      reason: "AheadOfLog",
    });
  });
});
