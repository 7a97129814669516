// slonik's driver can drop its 'error' listener before an ended pg client has stopped emitting: a
// connection that Postgres terminates at that moment (restart, pg_terminate_backend) then surfaces as
// an uncaught exception. The pool replaces the connection anyway, so such errors are logged and
// ignored; every other uncaught exception still ends the process, as Node would.
const CONNECTION_TERMINATED = new Set(["57P01", "57P02", "57P03", "ECONNRESET", "EPIPE"]);

export const isConnectionTermination = (error: unknown): boolean =>
  typeof error === "object" &&
  error !== null &&
  "code" in error &&
  CONNECTION_TERMINATED.has(String((error as { code: unknown }).code));

let installed = false;

export const ignoreStrayConnectionErrors = (log: (message: string) => void = console.warn): void => {
  if (installed) return;
  installed = true;
  process.on("uncaughtException", (error) => {
    if (isConnectionTermination(error)) {
      log(`ignored a terminated Postgres connection outside any query: ${(error as Error).message}`);
      return;
    }
    console.error(error);
    process.exit(1);
  });
};
