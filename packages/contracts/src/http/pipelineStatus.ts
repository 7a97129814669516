// GET /status: what every stage of the pipeline is doing, and how far behind its consumers are.
import { z } from "zod";

export const StageState = z.enum(["ready", "starting", "retrying", "degraded", "down"]).meta({
  description:
    "ready: every instance ready; starting: an instance has not finished starting; retrying: an instance is " +
    "retrying a fault (reason given); degraded: some instances are unreachable; down: no instance answers",
});

export const StageInstance = z.object({
  url: z.string(),
  state: z.enum(["ready", "starting", "retrying", "down"]),
  detail: z.string().optional(),
  pid: z.number().int().optional(),
  started_at: z.string().optional(),
  /** What each component of the instance reports (stage, outbox relay, FX table...). */
  components: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
});

export const PartitionLag = z.object({
  topic: z.string(),
  partition: z.number().int(),
  lag: z.number().int(),
});

export const StageStatus = z.object({
  stage: z.string(),
  state: StageState,
  detail: z.string().optional(),
  instances: z.array(StageInstance),
  /** Records waiting in the stage's input topics (null when Kafka could not be asked). */
  lag: z.object({ total: z.number().int(), partitions: z.array(PartitionLag) }).nullable(),
});

export const PipelineStatus = z
  .object({
    status: z.enum(["flowing", "degraded"]),
    checked_at: z.string(),
    stages: z.array(StageStatus),
  })
  .meta({ id: "PipelineStatus" });

export type StageState = z.infer<typeof StageState>;
export type StageInstance = z.infer<typeof StageInstance>;
export type StageStatus = z.infer<typeof StageStatus>;
export type PipelineStatus = z.infer<typeof PipelineStatus>;
