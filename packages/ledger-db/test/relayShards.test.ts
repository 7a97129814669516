import { describe, expect, it } from "vitest";
import { OUTBOX_SHARDS, relayShards } from "../src/OutboxStore.ts";

describe("relayShards", () => {
  it("splits the shards among the connected relays, each shard to exactly one", () => {
    for (const members of [[0], [0, 1], [0, 3, 7], [1, 2, 4, 5, 9]]) {
      const parts = members.map((slot) => relayShards(slot, members));
      expect(parts.flat().sort((a, b) => a - b)).toEqual(Array.from({ length: OUTBOX_SHARDS }, (_, s) => s));
      for (const part of parts)
        expect(part.length).toBeGreaterThanOrEqual(Math.floor(OUTBOX_SHARDS / members.length));
    }
  });

  it("tries every shard when the relay is not a member (its membership connection is down)", () => {
    expect(relayShards(undefined, [0, 1])).toHaveLength(OUTBOX_SHARDS);
    expect(relayShards(5, [0, 1])).toHaveLength(OUTBOX_SHARDS);
  });
});
