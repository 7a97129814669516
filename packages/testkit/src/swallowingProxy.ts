// A TCP proxy in front of a real service whose first `swallow` connections are read and never answered
// or closed: a server thread that hangs, a peer that vanished without a reset. Later connections pass.
import { connect, createServer, type Socket } from "node:net";

export interface SwallowingProxy {
  /** The proxy's URL: `upstream` with its host and port replaced. */
  readonly url: string;
  /** Resolves once the client has given up every swallowed connection (closed its socket). */
  readonly swallowedClosed: () => Promise<void>;
  readonly close: () => Promise<void>;
}

export const swallowingProxy = async (upstream: string, swallow = 1): Promise<SwallowingProxy> => {
  const target = new URL(upstream);
  const swallowed: Socket[] = [];
  const closed: Promise<unknown>[] = [];
  const proxy = createServer((socket) => {
    if (swallowed.length < swallow) {
      swallowed.push(socket);
      closed.push(new Promise((resolve) => socket.on("close", resolve)));
      socket.on("error", () => {});
      socket.resume();
      return;
    }
    const to = connect(Number(target.port), target.hostname);
    socket.on("error", () => to.destroy());
    to.on("error", () => socket.destroy());
    socket.pipe(to).pipe(socket);
  });
  await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
  const { port } = proxy.address() as { port: number };
  const url = new URL(upstream);
  url.hostname = "127.0.0.1";
  url.port = String(port);
  return {
    url: url.toString(),
    swallowedClosed: async () => {
      await Promise.all(closed);
    },
    close: async () => {
      for (const socket of swallowed) socket.destroy();
      await new Promise((resolve) => proxy.close(resolve));
    },
  };
};
