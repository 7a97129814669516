// The runner's Kafka clients, renewed as the retry policy asks. The consumer is a RenewableConsumer: its
// own 'error' event (a failed rejoin) ends the session reading from it, and the next session gets a new one.
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
import { closeWithin, RenewableConsumer } from "../RenewableConsumer.ts";
import { beginTransaction } from "./commitBatch.ts";
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
  | "fetchMaxWaitMs"
  | "groupInstanceId"
  | "health"
>;

export class RunnerClients {
  producer: RecordProducer;
  readonly consumers: RenewableConsumer;
  readonly admin: Admin;
  /** Sum of the consumer lag over assigned partitions at the last sample (-1 before the first). */
  lag = -1;
  /** The current consumer's last reported join: what a batch must come from to be committed. */
  membership: Membership | undefined;
  readonly #options: ClientOptions;
  /** The current producer's InitProducerId, once it succeeded (or while it runs). */
  #initialised: Promise<void> | undefined;

  constructor(options: ClientOptions) {
    this.#options = options;
    this.producer = this.#newProducer();
    this.consumers = new RenewableConsumer({
      create: () => this.#newConsumer(),
      retire: (consumer) => consumer.stopLagMonitoring(),
    });
    this.admin = createAdmin(options.connection);
  }

  /** The current consumer. */
  get consumer(): RecordConsumer {
    return this.consumers.current;
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
      maxWaitTimeMs: options.fetchMaxWaitMs,
      groupInstanceId: options.groupInstanceId,
    });
    this.membership = undefined;
    consumer.on("consumer:group:join", (event) => {
      if (this.consumers.isCurrent(consumer)) this.membership = membershipOf(event, consumer.generationId);
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

  /**
   * InitProducerId for the current producer, once (transactional mode). It fences every older epoch of our
   * transactional id and ends its open transaction at the coordinator: a new producer does it before its
   * session reads, so offsets that transaction left pending do not hold the session back until it times out.
   */
  initialiseProducer(): Promise<void> {
    this.#initialised ??= (async () => {
      const tx = await beginTransaction(this.producer);
      await tx.cancel();
    })().catch((error: unknown) => {
      this.#initialised = undefined;
      throw error;
    });
    return this.#initialised;
  }

  /** Replaces what the policy named; the old clients are closed without waiting on a dead broker. */
  async renew(renewals: readonly Renewal[]): Promise<void> {
    const closing: Promise<unknown>[] = [this.consumers.renew(renewals)];
    if (renewals.includes("producer")) {
      const old = this.producer;
      this.producer = this.#newProducer();
      this.#initialised = undefined;
      closing.push(old.close(true));
    }
    await closeWithin(closing);
  }

  async close(): Promise<void> {
    await this.consumers.close();
    await this.producer.close().catch(() => undefined);
    await this.admin.close().catch(() => undefined);
  }
}

const markJoined = (health: ComponentHealth | undefined) => health?.ready("group joined");
