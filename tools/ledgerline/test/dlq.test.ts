// DLQ inspection and exactly-once replay against the running pipeline.
import { spawn } from "node:child_process";
import { isDeadLetterHeader } from "@ledgerline/kafka";
import { sql } from "@ledgerline/ledger-db";
import { RegistryCodec } from "@ledgerline/schema-registry";
import { testEnvironment } from "@ledgerline/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPLAY_ID_HEADER } from "../src/dlq/replayRun.ts";
import { runCli } from "./cli.ts";
import { deadLetter, readTopic } from "./dlqFixtures.ts";
import { CLI, type Pipeline, REPO_ROOT, startPipeline } from "./pipeline.ts";

const connection = { bootstrapBrokers: testEnvironment().brokers, clientId: "ledgerline-cli-test" };

describe("ledgerline dlq", () => {
  let pipeline: Pipeline;
  let codec: RegistryCodec;
  let enrichmentIds: string[];
  let conflictId: string | undefined;
  let sinkIds: string[];

  const json = async (args: string[]) => {
    const run = await runCli([...args, "--json"], pipeline.env);
    return {
      ...run,
      body:
        run.code === 0 || run.stdout.trim().startsWith("{") || run.stdout.trim().startsWith("[")
          ? JSON.parse(run.stdout || "null")
          : null,
    };
  };
  const replayedRecords = async () =>
    (await readTopic(connection, pipeline.namespace.names.topic("requested"))).filter(
      (r) => r.headers[REPLAY_ID_HEADER] !== undefined,
    );
  const ledgerStatus = async (ids: readonly string[]) =>
    (await pipeline.database.pool.any(
      sql.unsafe`SELECT transaction_id::text AS id, status FROM transactions WHERE transaction_id = ANY(${sql.array([...ids], "uuid")})`,
    )) as readonly { id: string; status: string }[];
  const waitPosted = async (ids: readonly string[], timeoutMs = 30_000) => {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const rows = await ledgerStatus(ids);
      if (rows.length === ids.length && rows.every((r) => r.status === "posted")) return rows;
      await new Promise((r) => setTimeout(r, 250));
    }
    return ledgerStatus(ids);
  };

  beforeAll(async () => {
    pipeline = await startPipeline("cli-dlq");
    codec = new RegistryCodec({ url: testEnvironment().registryUrl, names: pipeline.namespace.names });
    enrichmentIds = (await deadLetter(connection, codec, [
      { reason: "ENRICHMENT_FAILED", retryable: true, account: "ACC-1001", headers: true },
      { reason: "ENRICHMENT_FAILED", retryable: true, account: "ACC-1002", headers: true },
      { reason: "ENRICHMENT_FAILED", retryable: true, account: "ACC-1003", headers: true },
    ])) as string[];
    [conflictId] = (await deadLetter(connection, codec, [
      { reason: "PAYLOAD_CONFLICT", retryable: false, stage: "ledger-sink", account: "ACC-2001" },
    ])) as string[];
    await deadLetter(connection, codec, [
      {
        reason: "NOT_WIRE_FORMAT",
        retryable: false,
        account: "ACC-3001",
        rawValue: Buffer.from("not avro at all"),
      },
    ]);
    sinkIds = (await deadLetter(
      connection,
      codec,
      Array.from({ length: 20 }, (_, i) => ({
        reason: "LEDGER_UNAVAILABLE",
        retryable: true,
        stage: "ledger-sink",
        account: `ACC-4${String(i).padStart(3, "0")}`,
      })),
    )) as string[];
  });
  afterAll(async () => {
    await pipeline?.stop();
  });

  it("list filters by reason, stage, account and transaction id", async () => {
    const all = await json(["dlq", "list"]);
    expect(all.code, all.stderr).toBe(0);
    expect(all.body).toHaveLength(25);
    const enrichment = await json(["dlq", "list", "--reason", "ENRICHMENT_FAILED"]);
    expect(enrichment.body.map((r: { transactionId: string }) => r.transactionId).sort()).toEqual(
      [...enrichmentIds].sort(),
    );
    expect(enrichment.body[0]).toMatchObject({ stage: "processor", attempts: 3, retryable: true });
    expect(enrichment.body[0].preview).toMatch(/ACC-100\d 12345 USD Chicago Retail Hub/);
    expect((await json(["dlq", "list", "--stage", "ledger-sink"])).body).toHaveLength(21);
    expect(
      (await json(["dlq", "list", "--account", "ACC-2001"])).body.map((r: { reason: string }) => r.reason),
    ).toEqual(["PAYLOAD_CONFLICT"]);
    expect((await json(["dlq", "list", "--transaction", conflictId!])).body).toHaveLength(1);
    expect(
      (await json(["dlq", "list", "--reason", "NOT_WIRE_FORMAT,PAYLOAD_CONFLICT", "--since", "1h"])).body,
    ).toHaveLength(2);
    const table = await runCli(["dlq", "list", "--reason", "ENRICHMENT_FAILED"], pipeline.env);
    expect(table.stdout).toMatch(/P:OFFSET\s+DEAD-LETTERED\s+REASON/);
    expect(table.stdout).toMatch(/3 of 25 dead letter\(s\)/);
  });

  it("show decodes the payload through the registry, or prints hex when it cannot", async () => {
    const decoded = await json(["dlq", "show", enrichmentIds[0]!]);
    expect(decoded.code, decoded.stderr).toBe(0);
    expect(decoded.body.payload).toMatchObject({
      decoded: true,
      value: { transaction_id: enrichmentIds[0], account_id: "ACC-1001" },
    });
    expect(decoded.body.headers).toMatchObject({
      "ledgerline.dlq.reason": "ENRICHMENT_FAILED",
      "__connect.errors.stage": "processor",
    });
    const [garbage] = (await json(["dlq", "list", "--reason", "NOT_WIRE_FORMAT"])).body;
    const raw = await json(["dlq", "show", garbage.coordinates]);
    expect(raw.body.payload).toMatchObject({
      decoded: false,
      hex: Buffer.from("not avro at all").toString("hex"),
    });
    const missing = await runCli(["dlq", "show", "9:999"], pipeline.env);
    expect(missing.code).toBe(1);
  });

  it("replay --dry-run prints the plan and changes nothing", async () => {
    const dry = await json(["dlq", "replay", "--reason", "ENRICHMENT_FAILED", "--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.body).toMatchObject({ dryRun: true, selected: 3, replay: 3, replayed: 0 });
    expect(dry.body.records[0].target).toBe(pipeline.namespace.names.topic("requested"));
    expect(await replayedRecords()).toHaveLength(0);
    // The ledger-sink records dead letters as such; a dry run leaves them there.
    expect((await ledgerStatus(enrichmentIds)).every((r) => r.status === "dead_lettered")).toBe(true);
  });

  it("refuses a non-replayable record without --force", async () => {
    const refused = await runCli(["dlq", "replay", "--reason", "PAYLOAD_CONFLICT", "--yes"], pipeline.env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/cannot succeed by retrying.*--force/);
    expect(await replayedRecords()).toHaveLength(0);
  });

  it("replays fixed records to posted exactly once; replaying again does nothing", async () => {
    const first = await json([
      "dlq",
      "replay",
      "--reason",
      "ENRICHMENT_FAILED",
      "--yes",
      "--operator",
      "alice",
    ]);
    expect(first.code, first.stderr).toBe(0);
    expect(first.body).toMatchObject({ replay: 3, replayed: 3 });
    const posted = await waitPosted(enrichmentIds);
    expect(posted.map((r) => r.status)).toEqual(["posted", "posted", "posted"]);
    const again = await json(["dlq", "replay", "--reason", "ENRICHMENT_FAILED", "--yes"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.body).toMatchObject({ replay: 0, alreadyReplayed: 3, replayed: 0 });
    const replayed = await replayedRecords();
    expect(replayed).toHaveLength(3);
    expect(replayed[0]!.headers).toMatchObject({ "ledgerline-replay-count": "1", "test-header": "kept" });
    // The letters carried DLQ headers: none of them reaches the replayed record.
    for (const record of replayed)
      expect(Object.keys(record.headers).filter((name) => isDeadLetterHeader(name))).toEqual([]);
    expect(replayed[0]!.headers["ledgerline-replay-original"]).toMatch(/\.transactions\.requested:0:\d+$/);
  });

  it("SIGKILL halfway, run again: each record replayed exactly once in total", async () => {
    const args = [CLI, "dlq", "replay", "--reason", "LEDGER_UNAVAILABLE", "--rate", "8/s", "--yes"];
    const child = spawn(process.execPath, args, { cwd: REPO_ROOT, env: pipeline.env, stdio: "ignore" });
    const exited = new Promise((resolve) => child.once("exit", resolve));
    const deadline = Date.now() + 60_000;
    let seen = 0;
    while (Date.now() < deadline) {
      seen = (await replayedRecords()).length - 3;
      if (seen >= 4) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    child.kill("SIGKILL");
    await exited;
    expect(seen).toBeGreaterThanOrEqual(4);
    expect(seen).toBeLessThan(20);

    const rerun = await json(["dlq", "replay", "--reason", "LEDGER_UNAVAILABLE", "--yes"]);
    expect(rerun.code, rerun.stderr).toBe(0);
    expect(rerun.body.replayed).toBe(20 - rerun.body.alreadyReplayed);
    const replayed = (await replayedRecords()).filter((r) => r.key?.startsWith("ACC-4"));
    expect(replayed).toHaveLength(20);
    expect(new Set(replayed.map((r) => r.key)).size).toBe(20);
    const posted = await waitPosted(sinkIds);
    expect(posted.filter((r) => r.status === "posted")).toHaveLength(20);
  }, 120_000);

  it("--force replays a record refused before; the audit lists every run", async () => {
    const forced = await json(["dlq", "replay", "--reason", "PAYLOAD_CONFLICT", "--yes", "--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.body.replayed).toBe(1);
    const audit = await json(["dlq", "replays"]);
    expect(audit.code, audit.stderr).toBe(0);
    const runs = audit.body as {
      dryRun: boolean;
      operator: string;
      replayed: number;
      refused: number;
      finishedAt: string | null;
      filter: { reasons?: string[] };
    }[];
    expect(runs.length).toBeGreaterThanOrEqual(7);
    expect(runs.filter((r) => r.dryRun)).toHaveLength(1);
    expect(runs.some((r) => r.operator === "alice" && r.replayed === 3)).toBe(true);
    expect(runs.some((r) => r.refused === 1 && r.replayed === 0)).toBe(true);
    expect(runs.some((r) => r.finishedAt === null)).toBe(true); // the SIGKILLed run
    const table = await runCli(["dlq", "replays"], pipeline.env);
    expect(table.stdout).toMatch(/REPLAY\s+OPERATOR\s+MODE/);
  });
});
