// The service instances the HTTP app runs on (resolved from the Effect layers in main.ts / tests).
import type { GatewaySettings } from "../settings.ts";
import type { AccountLimits } from "./AccountLimits.ts";
import type { ConsoleFeed } from "./ConsoleFeed.ts";
import type { LedgerReads } from "./LedgerReads.ts";
import type { PipelineStatus } from "./PipelineStatus.ts";
import type { Registry } from "./Registry.ts";
import type { RequestedProducer } from "./RequestedProducer.ts";

export interface GatewayServices {
  readonly settings: GatewaySettings;
  readonly registry: Registry["Service"];
  readonly producer: RequestedProducer["Service"];
  readonly ledger: LedgerReads["Service"];
  readonly limits: AccountLimits["Service"];
  readonly pipeline: PipelineStatus["Service"];
  readonly console: ConsoleFeed["Service"];
}
