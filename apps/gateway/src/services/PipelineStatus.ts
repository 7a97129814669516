// GET /status's inputs, gathered: every configured stage instance's /ready, and each consumer group's lag
// from Kafka. A stage that does not answer is "down"; Kafka unreachable leaves lag null. Cached briefly
// so a dashboard polling every second costs one round of probes.
import { names, type StageId, stages, type TopicId } from "@ledgerline/catalogue";
import type { PipelineStatus as PipelineStatusBody } from "@ledgerline/contracts";
import { createAdmin, parseBrokers, sampleConsumerLag } from "@ledgerline/kafka";
import { Context, Effect, Layer } from "effect";
import { GatewayConfig } from "../Config.ts";
import {
  type LagOf,
  type Probe,
  pipelineView,
  type ReadinessAnswer,
  stageView,
} from "../status/pipelineView.ts";
import { RequestedProducer } from "./RequestedProducer.ts";

const CACHE_MS = 1_000;
/** When this gateway process started (a restart shows as a new pid and start time). */
const STARTED_AT = new Date(Date.now() - process.uptime() * 1_000).toISOString();

export class PipelineStatus extends Context.Service<
  PipelineStatus,
  { readonly report: () => Promise<PipelineStatusBody> }
>()("ledgerline/gateway/PipelineStatus") {
  static readonly layer = Layer.effect(
    PipelineStatus,
    Effect.gen(function* () {
      const { settings, connections } = yield* GatewayConfig;
      const producer = yield* RequestedProducer;
      const resolved = names(settings.namespace);
      const admin = yield* Effect.acquireRelease(
        Effect.sync(() =>
          createAdmin({
            bootstrapBrokers: parseBrokers(connections.bootstrapServers),
            security: connections.kafkaSecurity,
            clientId: "ledgerline-gateway-status",
            timeoutMs: settings.readyTimeoutMs,
            retries: 0,
          }),
        ),
        (admin) => Effect.promise(() => admin.close().catch(() => undefined)),
      );
      const consuming = (["processor", "ledgerSink"] as const satisfies readonly StageId[]).map((id) => ({
        id,
        name: stages[id].name,
        groupId: resolved.group(id),
        topics: (stages[id].inputs as readonly TopicId[]).map((topic) => resolved.topic(topic)),
      }));

      const probe = async (url: string): Promise<Probe> => {
        try {
          const response = await fetch(new URL("/ready", url), {
            signal: AbortSignal.timeout(settings.readyTimeoutMs),
          });
          return { _tag: "Answered", url, report: (await response.json()) as ReadinessAnswer };
        } catch (error) {
          return { _tag: "Unreachable", url, error: error instanceof Error ? error.message : String(error) };
        }
      };

      const lagSamples = async (): Promise<Map<string, LagOf[]> | null> => {
        try {
          const samples = await sampleConsumerLag(admin, consuming);
          const byGroup = new Map<string, LagOf[]>();
          for (const s of samples) {
            const topic = resolved.topicIdOf(s.topic) ?? s.topic;
            byGroup.set(s.groupId, [
              ...(byGroup.get(s.groupId) ?? []),
              { topic, partition: s.partition, lag: s.lag },
            ]);
          }
          return byGroup;
        } catch {
          return null;
        }
      };

      // The gateway's own state: it can accept when its producer reaches the broker.
      const gatewayProbe = async (): Promise<Probe> => {
        const url = `http://${settings.host}:${settings.port}`;
        const kafka = await Effect.runPromise(
          producer.check.pipe(
            Effect.as(undefined),
            Effect.catch((error) => Effect.succeed(error.detail)),
          ),
        );
        const component =
          kafka === undefined
            ? { state: "ready", detail: "producer connected" }
            : {
                state: "retrying",
                reason: "BrokerUnavailable",
                message: kafka,
                attempts: 1,
                since: new Date().toISOString(),
              };
        return {
          _tag: "Answered",
          url,
          report: {
            status: kafka === undefined ? "ready" : "not_ready",
            pid: process.pid,
            startedAt: STARTED_AT,
            components: { gateway: component },
          },
        };
      };

      const gather = async (): Promise<PipelineStatusBody> => {
        const endpointsOf = (stage: string) =>
          settings.stageEndpoints.filter((e) => e.stage === stage).map((e) => e.url);
        const [gateway, lag, stageProbes, relayProbes] = await Promise.all([
          gatewayProbe(),
          lagSamples(),
          Promise.all(consuming.map((stage) => Promise.all(endpointsOf(stage.name).map(probe)))),
          Promise.all(endpointsOf("outbox-relay").map(probe)),
        ]);
        return pipelineView(
          [
            stageView("gateway", [gateway], null),
            ...consuming.map((stage, index) =>
              stageView(
                stage.name,
                stageProbes[index] ?? [],
                lag === null ? null : (lag.get(stage.groupId) ?? []),
              ),
            ),
            // The relay runs alongside the sink (in it, unless started on its own): shown when it has an endpoint.
            ...(relayProbes.length > 0 ? [stageView("outbox-relay", relayProbes, null)] : []),
          ],
          new Date(),
        );
      };

      let cached: { at: number; report: Promise<PipelineStatusBody> } | undefined;
      return PipelineStatus.of({
        report: () => {
          if (!cached || Date.now() - cached.at > CACHE_MS) cached = { at: Date.now(), report: gather() };
          return cached.report;
        },
      });
    }),
  );
}
