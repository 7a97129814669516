// Avro encoding in the Confluent wire format, schemas held by the registry's Confluent-compatible API.
import { SchemaRegistry as ConfluentRegistry, SchemaType } from "@kafkajs/confluent-schema-registry";
import {
  loadSchema,
  type Names,
  registryEndpoint,
  requestTimeout,
  type TopicId,
} from "@ledgerline/catalogue";
import { httpStatusOf, isServiceOutage } from "@ledgerline/resilience";
import type avro from "avsc";
import { Schema } from "effect";
import { avroOptions, avroType } from "./avroTypes.ts";
import { MAGIC_BYTE, WireWriter } from "./wireWriter.ts";

export { MAGIC_BYTE } from "./wireWriter.ts";

/** Why a record could not be encoded or decoded: the record's own fault (a dead letter), or the
 *  registry's (an outage, which a retry fixes; refused credentials, which only configuration fixes). */
export const DecodeFailureReason = Schema.Literals([
  "NOT_WIRE_FORMAT",
  "UNKNOWN_SCHEMA",
  "SCHEMA_MISMATCH",
  "MALFORMED_PAYLOAD",
  "REGISTRY_UNAVAILABLE",
  /** 401/403: the credentials in SCHEMA_REGISTRY_URL are missing or wrong (fatal to a stage). */
  "REGISTRY_UNAUTHORIZED",
]);
export type DecodeFailureReason = typeof DecodeFailureReason.Type;

export class RegistryError extends Schema.TaggedError<RegistryError>()("RegistryError", {
  reason: DecodeFailureReason,
  message: Schema.String,
  cause: Schema.optional(Schema.Defect()),
}) {
  static of = (reason: DecodeFailureReason, message: string, cause?: unknown): RegistryError =>
    new RegistryError({ reason, message, ...(cause === undefined ? {} : { cause }) });

  /** A retry may succeed: the registry is down or slow (as classifyFault says: RegistryUnavailable). */
  get retryable(): boolean {
    return this.reason === "REGISTRY_UNAVAILABLE";
  }

  /** The record (its bytes or its schema) is at fault: dead-letter it. Otherwise the registry is (an
   *  outage or refused credentials): never the record's fault, so callers rethrow instead. */
  get recordAtFault(): boolean {
    return this.reason !== "REGISTRY_UNAVAILABLE" && this.reason !== "REGISTRY_UNAUTHORIZED";
  }
}

/** Reads the Confluent framing: magic byte 0, then the 4-byte big-endian schema id. */
export const readWireHeader = (buffer: Buffer): { schemaId: number; payload: Buffer } => {
  if (buffer.length < 5 || buffer[0] !== MAGIC_BYTE) {
    throw RegistryError.of(
      "NOT_WIRE_FORMAT",
      "value is not in the Confluent wire format (magic byte 0 + id)",
    );
  }
  return { schemaId: buffer.readUInt32BE(1), payload: buffer.subarray(5) };
};

/** Registry errors that mean "the registry is down or slow" rather than "this schema is wrong". */
const isUnauthorized = (error: unknown): boolean => [401, 403].includes(httpStatusOf(error) ?? 0);

/** The request timed out (requestTimeout's "Timeout (N ms)") or the call's own bound fired. */
const isUnanswered = (error: unknown): boolean =>
  /\bTimeout \(\d+ms\)|did not answer in/.test(String((error as Error)?.message));

export interface RegistryCodecOptions {
  readonly url: string;
  readonly names: Names;
  /** Per-request timeout; an outage must surface as an error, never a hang. */
  readonly timeoutMs?: number;
}

export class RegistryCodec {
  readonly client: ConfluentRegistry;
  readonly names: Names;
  /** In-flight or settled lookups: a burst of encodes shares one registry call (no thundering herd). */
  readonly #writerIds = new Map<TopicId, Promise<number>>();
  readonly #readerSchemas = new Map<TopicId, avro.Schema>();
  readonly #readerTypes = new Map<TopicId, avro.Type>();
  readonly #decoders = new Map<string, Promise<(payload: Buffer) => unknown>>();
  readonly #writer = new WireWriter();

  constructor(options: RegistryCodecOptions) {
    this.names = options.names;
    // Credentials in the URL (https://user:password@host/...) become HTTP basic auth.
    const { host, auth } = registryEndpoint(options.url);
    this.#timeoutMs = options.timeoutMs ?? 5_000;
    this.client = new ConfluentRegistry(
      {
        host,
        ...(auth ? { auth } : {}),
        clientId: "ledgerline",
        retry: { retries: 0 },
        middlewares: [requestTimeout(this.#timeoutMs)],
      },
      { [SchemaType.AVRO]: avroOptions },
    );
  }

  // Every registry call is bounded twice: its HTTP request is abandoned after this (requestTimeout), and
  // a second later the call itself is rejected (#once), should anything past the socket hang too. The
  // request goes first, so a caller that retries at once never joins a request that is about to fail.
  readonly #timeoutMs: number;

  /**
   * A call whose request got no answer is made again at once, up to UNANSWERED_RETRIES times, before it
   * fails as an outage. On a loaded machine the registry was seen to leave one request unanswered while it
   * answered every other; the stages would retry anyway, but a tool or a checker reading a topic should not
   * fail for one lost request. A refused connection or an error answer is not retried here.
   */
  static readonly UNANSWERED_RETRIES = 2;

  async #bounded<T>(what: string, call: () => Promise<T>): Promise<T> {
    for (let retries = 0; ; retries++) {
      try {
        return await this.#once(what, call);
      } catch (error) {
        if (retries >= RegistryCodec.UNANSWERED_RETRIES || !isUnanswered(error)) throw error;
      }
    }
  }

  #once<T>(what: string, call: () => Promise<T>): Promise<T> {
    const ms = this.#timeoutMs + 1_000;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(
        () =>
          reject(RegistryError.of("REGISTRY_UNAVAILABLE", `${what}: registry did not answer in ${ms} ms`)),
        ms,
      );
      call().then(
        (value) => {
          clearTimeout(timer);
          resolve(value);
        },
        (error: unknown) => {
          clearTimeout(timer);
          reject(error);
        },
      );
    });
  }

  readerSchema(topicId: TopicId): avro.Schema {
    let schema = this.#readerSchemas.get(topicId);
    if (!schema) {
      // The catalogue reads the file as JSON; avsc parses it as the reader schema when decoding.
      schema = loadSchema(topicId).schema as avro.Schema;
      this.#readerSchemas.set(topicId, schema);
    }
    return schema;
  }

  /**
   * The id of the schema this code writes with: our .avsc as registered under the topic's subject. Looked
   * up once per topic; concurrent callers share the call, and a failed lookup is not kept.
   */
  writerId(topicId: TopicId): Promise<number> {
    let id = this.#writerIds.get(topicId);
    if (!id) {
      id = this.#lookUpWriterId(topicId);
      id.catch(() => this.#writerIds.delete(topicId));
      this.#writerIds.set(topicId, id);
    }
    return id;
  }

  async #lookUpWriterId(topicId: TopicId): Promise<number> {
    const subject = this.names.valueSubject(topicId);
    try {
      return await this.#bounded(`look up ${subject}`, () =>
        this.client.getRegistryIdBySchema(subject, {
          type: SchemaType.AVRO,
          schema: JSON.stringify(this.readerSchema(topicId)),
        }),
      );
    } catch (error) {
      if (error instanceof RegistryError) throw error;
      if (isUnauthorized(error))
        throw RegistryError.of(
          "REGISTRY_UNAUTHORIZED",
          `look up ${subject}: ${(error as Error).message}`,
          error,
        );
      if (isServiceOutage(error)) {
        throw RegistryError.of(
          "REGISTRY_UNAVAILABLE",
          `look up ${subject}: ${(error as Error).message}`,
          error,
        );
      }
      throw RegistryError.of(
        "UNKNOWN_SCHEMA",
        `schema for ${subject} is not registered (run \`npm run topology -- apply\`): ${(error as Error).message}`,
        error,
      );
    }
  }

  /**
   * Confluent wire format with our own schema, which is exactly the one registered under `writerId`: no
   * second registry call to fetch it back (the client's encode would, once per id, for every caller).
   */
  async encode(topicId: TopicId, value: unknown): Promise<Buffer> {
    return this.#frame(await this.writerId(topicId), topicId, value);
  }

  /** Encodes many values with one schema lookup (the gateway's batches). */
  async encodeMany(topicId: TopicId, values: readonly unknown[]): Promise<Buffer[]> {
    const id = await this.writerId(topicId);
    return values.map((value) => this.#frame(id, topicId, value));
  }

  #frame(schemaId: number, topicId: TopicId, value: unknown): Buffer {
    return this.#writer.frame(this.#readerType(topicId), schemaId, value);
  }

  /** Our reader type for a topic, parsed once. */
  #readerType(topicId: TopicId): avro.Type {
    let type = this.#readerTypes.get(topicId);
    if (!type) {
      type = avroType(this.readerSchema(topicId));
      this.#readerTypes.set(topicId, type);
    }
    return type;
  }

  /** A decoder for (topic, writer schema id), resolved once: per-record resolution costs ~0.4 ms. */
  #decoderFor(topicId: TopicId, schemaId: number): Promise<(payload: Buffer) => unknown> {
    const key = `${topicId}:${schemaId}`;
    let decoder = this.#decoders.get(key);
    if (!decoder) {
      decoder = this.#resolveDecoder(topicId, schemaId);
      // A failed lookup must not stick: the registry may be back, or the id registered, next time.
      decoder.catch(() => this.#decoders.delete(key));
      this.#decoders.set(key, decoder);
    }
    return decoder;
  }

  async #resolveDecoder(topicId: TopicId, schemaId: number): Promise<(payload: Buffer) => unknown> {
    let writer: avro.Type;
    try {
      writer = (await this.#bounded(`fetch schema ${schemaId}`, () =>
        this.client.getSchema(schemaId),
      )) as unknown as avro.Type;
    } catch (error) {
      if (error instanceof RegistryError) throw error;
      if (isUnauthorized(error))
        throw RegistryError.of(
          "REGISTRY_UNAUTHORIZED",
          `fetch schema ${schemaId}: ${(error as Error).message}`,
          error,
        );
      if (isServiceOutage(error)) {
        throw RegistryError.of(
          "REGISTRY_UNAVAILABLE",
          `fetch schema ${schemaId}: ${(error as Error).message}`,
          error,
        );
      }
      throw RegistryError.of("UNKNOWN_SCHEMA", `schema id ${schemaId} is unknown to the registry`, error);
    }
    const reader = this.#readerType(topicId);
    if (writer.equals(reader)) return (payload) => reader.fromBuffer(payload);
    try {
      const resolver = reader.createResolver(writer);
      return (payload) => reader.fromBuffer(payload, resolver);
    } catch (error) {
      throw RegistryError.of(
        "SCHEMA_MISMATCH",
        `schema ${schemaId} cannot be read as ${topicId}: ${(error as Error).message}`,
        error,
      );
    }
  }

  /** Decodes with the writer's schema (by id) resolved into our reader schema for the topic. */
  async decode<T>(topicId: TopicId, buffer: Buffer | undefined | null): Promise<T> {
    if (!buffer) throw RegistryError.of("NOT_WIRE_FORMAT", "record has no value");
    const { schemaId, payload } = readWireHeader(buffer);
    const decode = await this.#decoderFor(topicId, schemaId);
    try {
      return decode(payload) as T;
    } catch (error) {
      throw RegistryError.of(
        "MALFORMED_PAYLOAD",
        `schema ${schemaId} → ${topicId}: ${(error as Error).message}`,
        error,
      );
    }
  }
}

export { avroType };
