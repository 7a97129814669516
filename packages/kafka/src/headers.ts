// Kafka headers from strings (UTF-8), as every producer of ours writes them.
export const headerBuffers = (headers: Readonly<Record<string, string>>): Record<string, Buffer> => {
  const out: Record<string, Buffer> = {};
  for (const name in headers) out[name] = Buffer.from(headers[name] as string, "utf8");
  return out;
};
