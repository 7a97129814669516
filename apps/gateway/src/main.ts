// The gateway process: the launcher (logging, tracing, signals, exit) around its HTTP server, a scoped
// resource: SIGTERM stops accepting, drains what is in flight, and exits 0.
import { isConnectionTermination } from "@ledgerline/ledger-db";
import { runService } from "@ledgerline/resilience";
import { serveGateway } from "./server.ts";

runService("gateway", serveGateway, {
  // A Postgres restart can terminate a connection the pool had already released: harmless.
  ignoreUncaught: isConnectionTermination,
});
