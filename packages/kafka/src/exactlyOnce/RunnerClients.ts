// The runner's Kafka clients, renewed as the retry policy asks. The consumer's own 'error' event (a
// rejoin that failed, which leaves it without heartbeats) is caught here: it would otherwise end the
// process. It is held as a fault until the session notices, and the next session gets a new consumer.
import type { ComponentHealth } from "@ledgerline/observability";
import type { Renewal } from "@ledgerline/resilience";
import type { Admin } from "@platformatic/kafka";
import {
  createAdmin,
  createIdempotentProducer,
  createReadCommittedConsumer,
  createTransactionalProducer,
  type RecordConsumer,
  type RecordProducer,
} from "../clients.ts";
import { type Membership, membershipOf } from "./ownership.ts";
import type { ExactlyOnceRunnerOptions } from "./types.ts";

type ClientOptions = Pick<
  ExactlyOnceRunnerOptions<string>,
  | "connection"
  | "groupId"
  | "transactionalId"
  | "inputTopics"
  | "mode"
  | "sessionTimeoutMs"
  | "groupInstanceId"
  | "health"
>;

export class RunnerClients {
  producer: RecordProducer;
  consumer: RecordConsumer;
  readonly admin: Admin;
  /** Sum of the consumer lag over assigned partitions at the last sample (-1 before the first). */
  lag = -1;
  /** The current consumer's last reported join: what a batch must come from to be committed. */
  membership: Membership | undefined;
  /** The current consumer failed on its own (outside any call of ours): renew it before the next session. */
  consumerFault: unknown;
  readonly #options: ClientOptions;
  readonly #onConsumerFault: (error: unknown) => void;

  constructor(options: ClientOptions, onConsumerFault: (error: unknown) => void) {
    this.#options = options;
    this.#onConsumerFault = onConsumerFault;
    this.producer = this.#newProducer();
    this.consumer = this.#newConsumer();
    this.admin = createAdmin(options.connection);
  }

  #newProducer(): RecordProducer {
    return (this.#options.mode ?? "exactly-once") === "exactly-once"
      ? createTransactionalProducer(this.#options.connection, this.#options.transactionalId)
      : createIdempotentProducer(this.#options.connection);
  }

  #newConsumer(): RecordConsumer {
    const options = this.#options;
    const consumer = createReadCommittedConsumer(options.connection, options.groupId, {
      sessionTimeoutMs: options.sessionTimeoutMs,
      groupInstanceId: options.groupInstanceId,
    });
    this.consumerFault = undefined;
    this.membership = undefined;
    consumer.on("error", (error: unknown) => {
      if (this.consumer !== consumer) return;
      this.consumerFault = error;
      this.#onConsumerFault(error);
    });
    consumer.on("consumer:group:join", (event) => {
      if (this.consumer === consumer) this.membership = membershipOf(event, consumer.generationId);
      markJoined(options.health);
    });
    consumer.on("consumer:lag", (lag) => {
      let total = 0n;
      for (const partitions of lag.values()) for (const value of partitions) if (value > 0n) total += value;
      this.lag = Number(total);
    });
    consumer.startLagMonitoring({ topics: [...options.inputTopics] }, 2_000);
    return consumer;
  }

  /** Replaces what the policy named; the old clients are closed without waiting on a dead broker. */
  async renew(renewals: readonly Renewal[]): Promise<void> {
    const closing: Promise<unknown>[] = [];
    if (renewals.includes("producer")) {
      const old = this.producer;
      this.producer = this.#newProducer();
      closing.push(old.close(true));
    }
    if (renewals.includes("consumer") || this.consumerFault !== undefined) {
      const old = this.consumer;
      this.consumer = this.#newConsumer();
      old.stopLagMonitoring();
      closing.push(old.close(true));
    }
    // Closing talks to the broker (leave group, end transactions); bounded, and its failure is irrelevant.
    await Promise.race([
      Promise.allSettled(closing),
      new Promise((resolve) => setTimeout(resolve, 5_000).unref()),
    ]);
  }

  async close(): Promise<void> {
    this.consumer.stopLagMonitoring();
    await this.consumer.close(true).catch(() => undefined);
    await this.producer.close().catch(() => undefined);
    await this.admin.close().catch(() => undefined);
  }
}

const markJoined = (health: ComponentHealth | undefined) => health?.ready("group joined");
