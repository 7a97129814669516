// The processor process: the launcher (logging, tracing, signals, exit) around the processor's program.
import { runService } from "@ledgerline/resilience";
import { instanceIdConfig } from "./Config.ts";
import { processorService } from "./processor.ts";

runService("processor", processorService, { instanceId: instanceIdConfig });
