// Blocks of TCP ports at fixed offsets from a base, all free on 127.0.0.1: the stack's scripts place Kafka
// node i at KAFKA_PORT + 100·(i−1) and the supervisor instance i's ops port at base + 100·i, so a pipeline
// of its own needs every port of such a pattern free, not one. Bases are drawn below the kernel's ephemeral
// range (32768+), where any outgoing connection may hold a port.
import { createServer } from "node:net";

const LOW = 20_000;
const HIGH = 32_768;

const isFree = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });

/** Hands out bases whose ports (base + each offset) are free now and not handed out before by this one. */
export class PortBlocks {
  readonly #taken = new Set<number>();

  async take(offsets: readonly number[]): Promise<number> {
    const span = Math.max(0, ...offsets);
    for (let attempt = 0; attempt < 200; attempt++) {
      const base = LOW + Math.floor(Math.random() * (HIGH - LOW - span));
      const ports = offsets.map((offset) => base + offset);
      if (ports.some((port) => this.#taken.has(port))) continue;
      let free = true;
      for (const port of ports) if (!(await isFree(port))) free = false;
      if (!free) continue;
      for (const port of ports) this.#taken.add(port);
      return base;
    }
    throw new Error(
      `no free block of ports at offsets ${offsets.join(",")} in ${LOW}-${HIGH} after 200 tries`,
    );
  }
}

/** Offsets `0..width-1` repeated every 100 ports for `nodes` nodes (node i at +100·(i−1)). */
export const strided = (nodes: number, width: number): number[] =>
  Array.from({ length: nodes }, (_, node) => Array.from({ length: width }, (_, k) => 100 * node + k)).flat();
