// A TCP proxy in front of one Kafka broker that reads the requests going through it: it can hold a
// chosen request (and, TCP being ordered, everything after it on the same connection) and forward it
// later, even after the client gave up and closed that connection. That is Jepsen's "late packet":
// a request of a dead connection the broker still receives. It also records every request and the
// errors of the transaction APIs' responses, so a test can print the protocol exchange.
// Clients bypass a plain proxy after bootstrap (the broker advertises its own address): start the
// broker with ThrowawayBroker's `proxiedListener` so that it advertises this proxy.
import { connect, createServer, type Server, type Socket } from "node:net";
import { FrameSplitter } from "./frames.ts";
import { type KafkaRequest, parseRequest } from "./requests.ts";
import { type KafkaResponse, parseResponse } from "./responses.ts";

export interface WireExchange {
  /** Order of arrival at the proxy, from 0. */
  readonly index: number;
  /** The client connection it came on, numbered from 1. */
  readonly connection: number;
  readonly request: KafkaRequest;
  /** Milliseconds since the proxy started. */
  readonly sentAt: number;
  forwardedAt?: number;
  response?: KafkaResponse;
  respondedAt?: number;
  /** The response came after the client had closed the connection: nobody read it. */
  unread?: boolean;
}

export interface HeldRequest {
  /** Resolves when a matching request arrived and was held. */
  readonly held: Promise<WireExchange>;
  /** Forwards it (and what queued behind it); resolves when the broker answered it or closed. */
  release(): Promise<WireExchange>;
}

interface PendingHold {
  readonly match: (request: KafkaRequest) => boolean;
  readonly onHeld: (link: Link, exchange: WireExchange) => void;
}

interface Link {
  readonly id: number;
  readonly client: Socket;
  readonly upstream: Socket;
  readonly inflight: Map<number, WireExchange>;
  /** Frames held or queued behind a held one (with their exchange). */
  queue: { frame: Buffer; exchange: WireExchange }[] | undefined;
  clientClosed: boolean;
}

export class KafkaWireProxy {
  #port = 0;
  readonly exchanges: WireExchange[] = [];
  readonly #server: Server;
  readonly #links = new Set<Link>();
  readonly #startedAt = Date.now();
  #holds: PendingHold[] = [];
  #watchers = new Set<() => void>();
  #nextLink = 1;

  private constructor(upstreamHost: string, upstreamPort: number) {
    this.#server = createServer((client) => this.#accept(client, upstreamHost, upstreamPort));
  }

  /** Listens on `port` (0: any free one) and forwards to the broker's proxied listener. */
  static async start(options: {
    upstreamPort: number;
    upstreamHost?: string;
    port?: number;
  }): Promise<KafkaWireProxy> {
    const proxy = new KafkaWireProxy(options.upstreamHost ?? "127.0.0.1", options.upstreamPort);
    const server = proxy.#server;
    proxy.#port = await new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(options.port ?? 0, "127.0.0.1", () =>
        resolve((server.address() as { port: number }).port),
      );
    });
    return proxy;
  }

  get port(): number {
    return this.#port;
  }

  /** Holds the next request that matches (one-shot). */
  hold(match: (request: KafkaRequest) => boolean): HeldRequest {
    let resolveHeld: (value: { link: Link; exchange: WireExchange }) => void = () => undefined;
    const held = new Promise<{ link: Link; exchange: WireExchange }>((resolve) => {
      resolveHeld = resolve;
    });
    this.#holds.push({ match, onHeld: (link, exchange) => resolveHeld({ link, exchange }) });
    return {
      held: held.then(({ exchange }) => exchange),
      release: async () => {
        const { link, exchange } = await held;
        this.#release(link);
        await this.until(() => exchange.respondedAt !== undefined || link.upstream.destroyed, 30_000);
        return exchange;
      },
    };
  }

  /** Resolves once `condition` holds, checked after every request and response. */
  until<T>(condition: () => T | undefined | false, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const check = () => {
        const value = condition();
        if (value === undefined || value === false) return;
        this.#watchers.delete(check);
        clearTimeout(timer);
        resolve(value);
      };
      const timer = setTimeout(() => {
        this.#watchers.delete(check);
        reject(new Error(`proxy: condition not met within ${timeoutMs} ms\n${this.describe()}`));
      }, timeoutMs);
      this.#watchers.add(check);
      check();
    });
  }

  /** The exchange as lines: time, connection, request, then what came back (or that nothing did). */
  describe(filter: (e: WireExchange) => boolean = () => true): string {
    return this.exchanges.filter(filter).map(describeExchange).join("\n");
  }

  async close(): Promise<void> {
    for (const link of this.#links) {
      link.client.destroy();
      link.upstream.destroy();
    }
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #now = () => Date.now() - this.#startedAt;

  #notify() {
    for (const watcher of [...this.#watchers]) watcher();
  }

  #accept(client: Socket, host: string, port: number) {
    const upstream = connect(port, host);
    const link: Link = {
      id: this.#nextLink++,
      client,
      upstream,
      inflight: new Map(),
      queue: undefined,
      clientClosed: false,
    };
    this.#links.add(link);
    const requests = new FrameSplitter();
    const responses = new FrameSplitter();
    client.on("data", (chunk) => {
      for (const frame of requests.push(chunk)) this.#onRequest(link, frame);
    });
    upstream.on("data", (chunk) => {
      for (const frame of responses.push(chunk)) this.#onResponse(link, frame);
    });
    client.on("close", () => {
      link.clientClosed = true;
      // A held request keeps the broker side open: it is still to be delivered.
      if (link.queue === undefined) upstream.end();
    });
    upstream.on("close", () => {
      client.destroy();
      this.#links.delete(link);
      this.#notify();
    });
    for (const socket of [client, upstream]) socket.on("error", () => socket.destroy());
  }

  #onRequest(link: Link, frame: Buffer) {
    const request = parseRequest(frame);
    const exchange: WireExchange = {
      index: this.exchanges.length,
      connection: link.id,
      request,
      sentAt: this.#now(),
    };
    this.exchanges.push(exchange);
    const hold = link.queue === undefined ? this.#holds.findIndex((h) => h.match(request)) : -1;
    if (hold >= 0) {
      const [pending] = this.#holds.splice(hold, 1) as [PendingHold];
      link.queue = [{ frame, exchange }];
      pending.onHeld(link, exchange);
    } else if (link.queue) link.queue.push({ frame, exchange });
    else this.#forward(link, frame, exchange);
    this.#notify();
  }

  #forward(link: Link, frame: Buffer, exchange: WireExchange) {
    link.inflight.set(exchange.request.correlationId, exchange);
    exchange.forwardedAt = this.#now();
    link.upstream.write(frame);
  }

  #release(link: Link) {
    const queue = link.queue ?? [];
    link.queue = undefined;
    for (const { frame, exchange } of queue) this.#forward(link, frame, exchange);
    // The client is gone: close the broker side once it answered what was delivered late.
    if (link.clientClosed) {
      void this.until(() => link.inflight.size === 0, 30_000)
        .catch(() => undefined)
        .finally(() => link.upstream.end());
    }
    this.#notify();
  }

  #onResponse(link: Link, frame: Buffer) {
    const correlationId = frame.length >= 8 ? frame.readInt32BE(4) : -1;
    const exchange = link.inflight.get(correlationId);
    if (exchange) {
      link.inflight.delete(correlationId);
      exchange.response = parseResponse(frame, exchange.request.apiKey, exchange.request.apiVersion);
      exchange.respondedAt = this.#now();
      if (link.clientClosed) exchange.unread = true;
    }
    if (!link.clientClosed) link.client.write(frame);
    this.#notify();
  }
}

const describeExchange = (e: WireExchange): string => {
  const r = e.request;
  const producer = r.producerId !== undefined ? ` pid ${r.producerId} epoch ${r.producerEpoch}` : "";
  const what = r.commit === undefined ? "" : r.commit ? " COMMIT" : " ABORT";
  const partitions = r.partitions?.length
    ? ` [${r.partitions.map((p, i) => (r.records ? `${p}×${r.records[i]}` : p)).join(", ")}]`
    : "";
  const held =
    e.forwardedAt === undefined
      ? " (held, never forwarded)"
      : e.forwardedAt - e.sentAt > 100
        ? ` (held ${e.forwardedAt - e.sentAt} ms, delivered at ${e.forwardedAt} ms)`
        : "";
  const answer =
    e.respondedAt === undefined
      ? "no answer"
      : `${e.response?.errors.length ? e.response.errors.join(",") : "ok"}${
          e.response?.producerEpoch !== undefined
            ? ` → pid ${e.response.producerId} epoch ${e.response.producerEpoch}`
            : ""
        }${e.response?.baseOffsets ? ` @${e.response.baseOffsets.join(",")}` : ""} at ${e.respondedAt} ms${e.unread ? " (client gone, unread)" : ""}`;
  return `${String(e.sentAt).padStart(6)} ms  conn ${e.connection}  ${r.apiName} v${r.apiVersion} corr ${r.correlationId}${what}${producer}${partitions}${held} → ${answer}`;
};
