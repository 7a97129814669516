// The short chaos profile inside npm test: a private pipeline started through the project's scripts, its
// stages behind Toxiproxy; every app SIGKILLed at least once, the broker killed and restarted, Postgres
// restarted immediately, one instance paused past its session timeout, one stage partitioned from a broker
// or from Postgres,
// ~2,300 transactions of every kind (refunds among them, some that must be refused, and debits of accounts
// with an overdraft limit, more than they can pay) from two careful API clients; then every invariant is
// checked from the outside.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { REPO_ROOT } from "@ledgerline/testkit";
import { afterAll, describe, expect, it } from "vitest";

describe("chaos (short profile)", () => {
  const out = mkdtempSync(join(tmpdir(), "ledgerline-chaos-report-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("every accepted transaction is posted exactly once through kills and restarts", {
    timeout: 900_000,
  }, async () => {
    let output = "";
    const code = await new Promise<number | null>((done) => {
      const child = spawn(
        process.execPath,
        [
          resolve(REPO_ROOT, "tools/chaos/src/main.ts"),
          "--profile",
          "short",
          "--seed",
          "20261129",
          "--out",
          out,
        ],
        {
          cwd: REPO_ROOT,
          stdio: ["ignore", "pipe", "pipe"],
        },
      );
      const keep = (chunk: Buffer) => {
        output += chunk.toString("utf8");
      };
      child.stdout.on("data", keep);
      child.stderr.on("data", keep);
      child.once("exit", done);
    });
    console.log(output.slice(-6_000));
    expect(code, output.slice(-6_000)).toBe(0);
    const report = JSON.parse(readFileSync(join(out, "chaos.json"), "utf8")) as {
      ok: boolean;
      figures: {
        accepted: number;
        faults: Record<string, number>;
        restarts: Record<string, number>;
        byKind: Record<string, Record<string, number>>;
        refusals: Record<string, number>;
        clients: Record<string, number>;
        limitedIntents: Record<string, Record<string, number>>;
        pauses: { target: string; resumed: boolean; tried: Record<string, number> }[];
      };
      invariants: { name: string; ok: boolean }[];
    };
    expect(report.ok).toBe(true);
    expect(report.figures.accepted).toBeGreaterThanOrEqual(2_000);
    expect(report.figures.faults.KillBroker).toBeGreaterThanOrEqual(1);
    // A zombie and a cut link: the nemeses of chaos round two.
    expect(report.figures.faults.PauseApp).toBeGreaterThanOrEqual(1);
    expect(report.figures.pauses.length).toBeGreaterThanOrEqual(1);
    expect(report.figures.faults.Partition).toBeGreaterThanOrEqual(1);
    // Transactions checked whole, and nothing aborted read downstream.
    expect(report.invariants.map((i) => i.name)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^no processor transaction torn/),
        expect.stringMatching(/^nothing from an aborted/),
      ]),
    );
    // The mixed workload: every kind accepted, from both clients, and refunds the ledger had to refuse.
    expect(Object.keys(report.figures.byKind).sort()).toEqual(
      ["cash_in", "cash_out", "debit", "payment", "refund", "transfer"].sort(),
    );
    expect(Object.keys(report.figures.clients).sort()).toEqual(["chaos-a", "chaos-b"]);
    expect(report.figures.refusals.REFUND_EXCEEDS_ORIGINAL).toBeGreaterThan(0);
    // The limited accounts' debits: some posted, some refused for want of funds.
    expect(report.figures.refusals.INSUFFICIENT_FUNDS).toBeGreaterThan(0);
    expect(report.figures.limitedIntents.debit?.posted).toBeGreaterThan(0);
    // Every app was killed and brought back by the supervisor.
    for (const app of ["gateway", "processor", "ledger-sink", "outbox-relay"]) {
      expect(report.figures.restarts[app], app).toBeGreaterThanOrEqual(1);
    }
  });
});
