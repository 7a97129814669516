// The ledger sink process: the launcher (logging, tracing, signals, exit) around the sink's program.
// SIGTERM/SIGINT stop it gracefully: the batch in flight finishes or rolls back, connections close.
import { isConnectionTermination } from "@ledgerline/ledger-db";
import { runService } from "@ledgerline/resilience";
import { instanceIdConfig } from "./Config.ts";
import { ledgerSinkService } from "./programs.ts";

runService("ledger-sink", ledgerSinkService, {
  instanceId: instanceIdConfig,
  // A Postgres restart can terminate a connection slonik had already let go of, outside any query.
  ignoreUncaught: isConnectionTermination,
});
