// The outbox relay as its own process (the sink runs it as a fiber unless OUTBOX_RELAY_ENABLED=false).
import { isConnectionTermination } from "@ledgerline/ledger-db";
import { runService } from "@ledgerline/resilience";
import { instanceIdConfig } from "./Config.ts";
import { outboxRelayService } from "./programs.ts";

runService("outbox-relay", outboxRelayService, {
  instanceId: instanceIdConfig,
  // A Postgres restart can terminate a connection slonik had already let go of, outside any query.
  ignoreUncaught: isConnectionTermination,
});
