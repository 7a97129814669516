// The throwaway fixtures keep what they promise across a restart: a committed Postgres row survives a
// crash-like `pg_ctl restart -m immediate`, and a registered schema keeps its id across a registry
// stop()/start() (file-backed H2 storage).
import { createLedgerPool, sql } from "@ledgerline/ledger-db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ThrowawayPostgres, ThrowawayRegistry } from "../src/index.ts";

describe("ThrowawayPostgres", () => {
  let pg: ThrowawayPostgres;
  beforeAll(async () => {
    pg = await ThrowawayPostgres.create();
  }, 120_000);
  afterAll(() => pg?.destroy());

  it("keeps a committed row across restartImmediate()", async () => {
    expect(pg.url()).toBe(`postgres://ledgerline:ledgerline@127.0.0.1:${pg.port}/ledgerline`);
    const before = await createLedgerPool(pg.url(), { maximumPoolSize: 1 });
    try {
      await before.query(sql.unsafe`CREATE TABLE survivor (id int PRIMARY KEY, note text NOT NULL)`);
      await before.transaction(async (tx) => {
        await tx.query(sql.unsafe`INSERT INTO survivor VALUES (1, 'committed before the crash')`);
      });
    } finally {
      await before.end();
    }

    await pg.restartImmediate();

    const after = await createLedgerPool(pg.url(), { maximumPoolSize: 1 });
    try {
      const rows = await after.any(sql.unsafe`SELECT id, note FROM survivor`);
      expect(rows).toEqual([{ id: 1, note: "committed before the crash" }]);
      // The role can create databases (tests make throwaway ones).
      const owner = await after.oneFirst(
        sql.unsafe`SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = 'ledgerline'`,
      );
      expect(owner).toBe("ledgerline");
    } finally {
      await after.end();
    }
  }, 120_000);
});

describe("ThrowawayRegistry", () => {
  let registry: ThrowawayRegistry;
  beforeAll(async () => {
    registry = await ThrowawayRegistry.create();
  }, 180_000);
  afterAll(() => registry?.destroy());

  const headers = { "content-type": "application/vnd.schemaregistry.v1+json" };
  const schema = JSON.stringify({
    type: "record",
    name: "Survivor",
    namespace: "ledgerline.test",
    fields: [{ name: "id", type: "string" }],
  });

  it("keeps a registered schema and its id across stop()/start()", async () => {
    expect(registry.url).toBe(`http://127.0.0.1:${registry.port}/apis/ccompat/v7`);
    const registered = await fetch(`${registry.url}/subjects/survivor-value/versions`, {
      method: "POST",
      headers,
      body: JSON.stringify({ schema }),
    });
    expect(registered.status).toBe(200);
    const { id } = (await registered.json()) as { id: number };
    expect(id).toBeGreaterThan(0);

    await registry.stop();
    await expect(fetch(`${registry.url}/subjects`)).rejects.toThrow();
    await registry.start();

    const fetched = await fetch(`${registry.url}/schemas/ids/${id}`);
    expect(fetched.status).toBe(200);
    expect(JSON.parse(((await fetched.json()) as { schema: string }).schema)).toEqual(JSON.parse(schema));
    // Re-registering the same schema finds the stored one instead of minting a new id.
    const again = await fetch(`${registry.url}/subjects/survivor-value/versions`, {
      method: "POST",
      headers,
      body: JSON.stringify({ schema }),
    });
    expect(((await again.json()) as { id: number }).id).toBe(id);
    // The global compatibility rule the fixture sets.
    const config = await fetch(`${registry.url}/config`);
    expect(((await config.json()) as { compatibilityLevel: string }).compatibilityLevel).toBe("BACKWARD");
  }, 180_000);
});
