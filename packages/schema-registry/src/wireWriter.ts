// Writes Avro values in the Confluent wire format with one allocation per record.
import type avro from "avsc";

export const MAGIC_BYTE = 0;

/** Magic byte + 4-byte big-endian schema id. */
const HEADER_BYTES = 5;

/**
 * Encodes straight after the header into a reusable scratch buffer, then copies out the exact bytes
 * (a small pooled allocation). avsc's toBuffer would allocate a zero-filled buffer per value, and
 * framing it another: two allocations and two copies per record. Not reentrant, which is fine: avsc
 * encodes synchronously.
 */
export class WireWriter {
  #scratch: Buffer;

  constructor(initialBytes = 4096) {
    this.#scratch = Buffer.allocUnsafe(Math.max(initialBytes, HEADER_BYTES));
  }

  frame(type: avro.Type, schemaId: number, value: unknown): Buffer {
    let end = type.encode(value, this.#scratch, HEADER_BYTES);
    while (end < 0) {
      // Too small: encode answers with minus the bytes it lacked. Grow with headroom and write again.
      this.#scratch = Buffer.allocUnsafe(2 * (this.#scratch.length - end));
      end = type.encode(value, this.#scratch, HEADER_BYTES);
    }
    const framed = Buffer.allocUnsafe(end);
    this.#scratch.copy(framed, HEADER_BYTES, HEADER_BYTES, end);
    framed[0] = MAGIC_BYTE;
    framed.writeUInt32BE(schemaId, 1);
    return framed;
  }
}
