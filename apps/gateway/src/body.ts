// Validators as middleware: content type, size, encoding and depth checks, then the exact-amount JSON parse.
import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { RequestRejected } from "./errors.ts";
import { requestHeader } from "./headers.ts";
import { checkContentType, parseJsonBody } from "./ingest/parseBody.ts";

export type BodyVariables = { body: unknown };

const tooLarge = (limitBytes: number) =>
  new RequestRejected({ reason: "PAYLOAD_TOO_LARGE", detail: `body larger than ${limitBytes} bytes` });

const readBytes = async (c: Context): Promise<ArrayBuffer> => {
  try {
    return await c.req.arrayBuffer();
  } catch (error) {
    if (error instanceof RequestRejected) throw error;
    throw new RequestRejected({ reason: "UNREADABLE_BODY", detail: "could not read the request body" });
  }
};

/**
 * Parses the JSON body into `c.var.body` (amounts as literal text); 415/413/400/422 on bad input.
 * With a Content-Length the size is checked up front and the body read directly (the fast path of
 * @hono/node-server); only chunked bodies go through hono's streaming bodyLimit.
 */
export const jsonBody = (
  limitBytes: number,
  maxDepth: number,
): MiddlewareHandler<{ Variables: BodyVariables }> => {
  const streamingLimit = bodyLimit({
    maxSize: limitBytes,
    onError: () => {
      throw tooLarge(limitBytes);
    },
  });
  return async (c, next) => {
    checkContentType(requestHeader(c, "content-type"));
    const length = requestHeader(c, "content-length");
    let bytes: ArrayBuffer | undefined;
    if (length !== undefined) {
      if (!/^\d+$/.test(length))
        throw new RequestRejected({ reason: "UNREADABLE_BODY", detail: "invalid Content-Length" });
      if (Number(length) > limitBytes) throw tooLarge(limitBytes);
      bytes = await readBytes(c);
    } else {
      await streamingLimit(c, async () => {
        bytes = await readBytes(c);
      });
    }
    if (!bytes || bytes.byteLength > limitBytes) throw tooLarge(limitBytes);
    c.set("body", parseJsonBody(new Uint8Array(bytes), maxDepth));
    await next();
  };
};
