// Raw request bytes → JSON value, keeping every `amount` as the literal text the client wrote.
import { RequestRejected } from "../errors.ts";

const JSON_TYPE = /^application\/(?:[\w.-]+\+)?json$/i;

/** 415 unless the body is declared as JSON (UTF-8 when a charset is given). */
export const checkContentType = (header: string | undefined): void => {
  const [mediaType = "", ...params] = (header ?? "").split(";").map((part) => part.trim());
  const charset = params
    .find((param) => param.toLowerCase().startsWith("charset="))
    ?.slice(8)
    .replace(/"/g, "");
  if (!JSON_TYPE.test(mediaType) || (charset !== undefined && !/^utf-?8$/i.test(charset))) {
    throw new RequestRejected({
      reason: "UNSUPPORTED_MEDIA_TYPE",
      detail: `send Content-Type: application/json (UTF-8); got ${header ? JSON.stringify(header) : "none"}`,
    });
  }
};

/** Deepest array/object nesting, computed without parsing (strings skipped). */
export const jsonDepth = (text: string): number => {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 92)
        i++; // backslash: skip the escaped char
      else if (code === 34) inString = false;
    } else if (code === 34) inString = true;
    else if (code === 123 || code === 91) {
      depth++;
      if (depth > max) max = depth;
    } else if (code === 125 || code === 93) depth--;
  }
  return max;
};

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * Decodes and parses a JSON body. Numbers under the key `amount` come back as their source text
 * (Node 24's reviver `context.source`), so 1250.75 is decided on "1250.75", never on a float.
 */
export const parseJsonBody = (bytes: Uint8Array, maxDepth: number): unknown => {
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw new RequestRejected({ reason: "UNREADABLE_BODY", detail: "body is not valid UTF-8" });
  }
  if (text.trim().length === 0)
    throw new RequestRejected({ reason: "UNREADABLE_BODY", detail: "body is empty" });
  if (jsonDepth(text) > maxDepth) {
    throw new RequestRejected({
      reason: "INVALID_FIELDS",
      detail: `JSON nesting deeper than ${maxDepth} levels`,
      errors: [{ field: "", code: "TOO_DEEP", message: `nesting deeper than ${maxDepth} levels` }],
    });
  }
  try {
    return JSON.parse(text, (key, value, context?: { source?: string }) =>
      key === "amount" && typeof value === "number" && context?.source !== undefined ? context.source : value,
    );
  } catch (error) {
    throw new RequestRejected({
      reason: "UNREADABLE_BODY",
      detail: `malformed JSON: ${(error as Error).message}`,
    });
  }
};
