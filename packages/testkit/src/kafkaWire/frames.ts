// Byte-level reading of Kafka frames: a stream cut into frames (int32 size, then the message), and a
// cursor over one frame. Layouts: https://kafka.apache.org/protocol.

/** Splits a byte stream into whole frames (each with its 4-byte size prefix). */
export class FrameSplitter {
  #pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Buffer[] {
    this.#pending = this.#pending.length === 0 ? chunk : Buffer.concat([this.#pending, chunk]);
    const frames: Buffer[] = [];
    while (this.#pending.length >= 4) {
      const end = 4 + this.#pending.readInt32BE(0);
      if (this.#pending.length < end) break;
      frames.push(this.#pending.subarray(0, end));
      this.#pending = this.#pending.subarray(end);
    }
    return frames;
  }
}

/** A cursor over one frame. Strings: int16-sized, or compact (unsigned varint of length + 1). */
export class Cursor {
  readonly buffer: Buffer;
  readonly flexible: boolean;
  offset: number;
  constructor(buffer: Buffer, offset: number, flexible: boolean) {
    this.buffer = buffer;
    this.offset = offset;
    this.flexible = flexible;
  }
  int8 = () => this.#take(1, (o) => this.buffer.readInt8(o));
  int16 = () => this.#take(2, (o) => this.buffer.readInt16BE(o));
  int32 = () => this.#take(4, (o) => this.buffer.readInt32BE(o));
  int64 = () => this.#take(8, (o) => this.buffer.readBigInt64BE(o));
  uvarint(): number {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const byte = this.buffer.readUInt8(this.offset++);
      value |= (byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return value >>> 0;
    }
  }
  /** Length of an array, a string or bytes (-1 for null). */
  length(wide = false): number {
    if (this.flexible) return this.uvarint() - 1;
    return wide ? this.int32() : this.int16();
  }
  string(): string | null {
    const size = this.length();
    if (size < 0) return null;
    return this.#take(size, (o) => this.buffer.toString("utf8", o, o + size));
  }
  bytes(): Buffer | null {
    const size = this.length(true);
    if (size < 0) return null;
    return this.#take(size, (o) => this.buffer.subarray(o, o + size));
  }
  array<T>(item: () => T): T[] {
    const size = this.length(true);
    const items: T[] = [];
    for (let i = 0; i < size; i++) items.push(item());
    return items;
  }
  skip(bytes: number): void {
    this.offset += bytes;
  }
  taggedFields(): void {
    if (!this.flexible) return;
    for (let count = this.uvarint(); count > 0; count--) {
      this.uvarint();
      this.skip(this.uvarint());
    }
  }
  #take<T>(size: number, read: (offset: number) => T): T {
    if (this.offset + size > this.buffer.length) throw new RangeError("frame too short");
    const value = read(this.offset);
    this.offset += size;
    return value;
  }
}
