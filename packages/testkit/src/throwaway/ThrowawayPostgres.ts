// A private Postgres cluster (initdb into a temp dir, its own port on 127.0.0.1, Unix sockets in the
// temp dir) for tests that must crash or restart Postgres. The shared server at 127.0.0.1:5432 is
// never touched. fsync stays on: surviving `pg_ctl restart -m immediate` with committed data intact
// is what this fixture is for.
//
// Postgres refuses to run as root, so when we are root, initdb/pg_ctl run as the `postgres` OS user
// (runuser) on a data dir owned by it. Clients (psql, pg_isready) run as whoever we are.
import { execFile } from "node:child_process";
import {
  appendFileSync,
  chownSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "../freePort.ts";

const PG_BIN = process.env.LEDGERLINE_PG_BIN ?? "/usr/lib/postgresql/15/bin";
const OS_USER = "postgres";
const ROLE = "ledgerline";
const PASSWORD = "ledgerline";
const DATABASE = "ledgerline";
const READY_TIMEOUT_MS = 60_000;

const execFileAsync = promisify(execFile);

// PGPORT, PGHOST, PGDATA... from the caller's environment would otherwise leak into the server
// (PGPORT is its default port) and the clients.
const cleanEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("PG")));

const isRoot = (): boolean => process.getuid?.() === 0;

const runuser = (): string =>
  ["/usr/sbin/runuser", "/sbin/runuser"].find((path) => existsSync(path)) ?? "runuser";

const tail = (file: string, lines = 30): string => {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
};

export class ThrowawayPostgres {
  /** Temp dir: `data/` (PGDATA), `postgres.log`, and the Unix sockets. */
  readonly dir: string;
  readonly port: number;

  private constructor(dir: string, port: number) {
    this.dir = dir;
    this.port = port;
  }

  get #data(): string {
    return join(this.dir, "data");
  }

  get #log(): string {
    return join(this.dir, "postgres.log");
  }

  /** The postmaster's process id (its backends are its children), or undefined when it is down. */
  pid(): number | undefined {
    try {
      const pid = Number(readFileSync(join(this.#data, "postmaster.pid"), "utf8").split("\n")[0]);
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  url(database: string = DATABASE): string {
    return `postgres://${ROLE}:${PASSWORD}@127.0.0.1:${this.port}/${encodeURIComponent(database)}`;
  }

  /** `settings`: extra postgresql.conf lines, after this fixture's own (later lines win). */
  static async create(options: { readonly settings?: readonly string[] } = {}): Promise<ThrowawayPostgres> {
    const dir = mkdtempSync(join(tmpdir(), "ledgerline-pg-"));
    const pg = new ThrowawayPostgres(dir, await freePort());
    try {
      if (isRoot()) {
        const id = async (flag: string) => Number((await execFileAsync("id", [flag, OS_USER])).stdout.trim());
        chownSync(dir, await id("-u"), await id("-g"));
      }
      await pg.#server("initdb", [
        "-D",
        pg.#data,
        "-U",
        "postgres",
        "--auth=trust",
        "--encoding=UTF8",
        "--locale=C",
        // Skips initdb's own fsync of the fresh cluster (seconds on a slow disk). Only an OS crash
        // could lose those files; the server itself runs with fsync=on.
        "--no-sync",
      ]);
      // Appended: later lines win over initdb's defaults; the files stay owned by postgres.
      appendFileSync(
        join(pg.#data, "postgresql.conf"),
        [
          "",
          "# ThrowawayPostgres",
          "listen_addresses = '127.0.0.1'",
          `port = ${pg.port}`,
          `unix_socket_directories = '${dir}'`,
          "max_connections = 100",
          "shared_buffers = 16MB",
          "fsync = on",
          "synchronous_commit = on",
          "full_page_writes = on",
          "max_wal_size = 256MB",
          "logging_collector = off",
          ...(options.settings ?? []),
          "",
        ].join("\n"),
      );
      // Superuser only over the private socket; TCP logins need a password (as on the shared server).
      writeFileSync(
        join(pg.#data, "pg_hba.conf"),
        "local all postgres trust\nhost all all 127.0.0.1/32 scram-sha-256\n",
      );
      await pg.start();
      await pg.#psql([
        "-c",
        `CREATE ROLE ${ROLE} LOGIN CREATEDB PASSWORD '${PASSWORD}'`,
        "-c",
        `CREATE DATABASE ${DATABASE} OWNER ${ROLE}`,
      ]);
      return pg;
    } catch (error) {
      await pg.destroy().catch(() => undefined);
      throw error;
    }
  }

  /** Starts the server; resolves once it accepts TCP connections. */
  async start(): Promise<void> {
    await this.#pgCtl(["start", "-w", "-t", String(READY_TIMEOUT_MS / 1000), "-l", this.#log]);
    await this.#awaitReady();
  }

  /** `pg_ctl stop` (fast: clean shutdown; immediate: crash-like, recovery on the next start). */
  async stop(mode: "immediate" | "fast" = "fast"): Promise<void> {
    if (!(await this.#running())) return;
    await this.#pgCtl(["stop", "-m", mode, "-w", "-t", "60"]);
  }

  /** A real `pg_ctl restart -m immediate` (crash-like); resolves once it accepts connections again. */
  async restartImmediate(): Promise<void> {
    await this.#pgCtl([
      "restart",
      "-m",
      "immediate",
      "-w",
      "-t",
      String(READY_TIMEOUT_MS / 1000),
      "-l",
      this.#log,
    ]);
    await this.#awaitReady();
  }

  async destroy(): Promise<void> {
    try {
      if (existsSync(this.#data)) await this.stop("immediate");
    } finally {
      rmSync(this.dir, { recursive: true, force: true });
    }
  }

  async #running(): Promise<boolean> {
    // pg_ctl status: 0 running, 3 not running, 4 no accessible data dir.
    try {
      await this.#server("pg_ctl", ["status", "-D", this.#data]);
      return true;
    } catch {
      return false;
    }
  }

  /** Polls pg_isready over TCP (it exits 0 only once the server accepts connections). */
  async #awaitReady(timeoutMs = READY_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        await execFileAsync(
          join(PG_BIN, "pg_isready"),
          ["-q", "-h", "127.0.0.1", "-p", String(this.port), "-d", "postgres", "-t", "2"],
          { env: cleanEnv(), timeout: 5_000 },
        );
        return;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    throw new Error(
      `throwaway postgres on 127.0.0.1:${this.port} not accepting connections after ${timeoutMs} ms; ` +
        `last lines of ${this.#log}:\n${tail(this.#log)}`,
    );
  }

  #pgCtl(args: string[]): Promise<void> {
    return this.#server("pg_ctl", [...args, "-D", this.#data, "-s"]).catch((error: unknown) => {
      throw new Error(
        `throwaway postgres: pg_ctl ${args[0]} failed (${errorText(error)}); last lines of ${this.#log}:\n${tail(this.#log)}`,
      );
    });
  }

  /** Runs a server binary (initdb, pg_ctl) as the postgres OS user when we are root. */
  async #server(binary: string, args: string[]): Promise<void> {
    const [command, argv] = isRoot()
      ? [runuser(), ["-u", OS_USER, "--", join(PG_BIN, binary), ...args]]
      : [join(PG_BIN, binary), args];
    await execFileAsync(command, argv, { cwd: this.dir, env: cleanEnv(), timeout: 120_000 });
  }

  /** Runs SQL as the superuser, over the private socket, in `database`. */
  async asSuperuser(database: string, statements: string): Promise<void> {
    await this.#psql(["-c", statements], database);
  }

  async #psql(args: string[], database = "postgres"): Promise<void> {
    await execFileAsync(
      join(PG_BIN, "psql"),
      [
        "-X",
        "-q",
        "-v",
        "ON_ERROR_STOP=1",
        "-h",
        this.dir,
        "-p",
        String(this.port),
        "-U",
        "postgres",
        "-d",
        database,
        ...args,
      ],
      { env: cleanEnv(), timeout: 30_000 },
    );
  }
}

const errorText = (error: unknown): string => {
  const { stderr, message } = error as { stderr?: string; message?: string };
  return (stderr?.trim() || message || String(error)).split("\n")[0] ?? "";
};
