// Shows a dead letter's original bytes: decoded through the registry when possible, hex otherwise.

import type { DeadLetter } from "@ledgerline/contracts";
import { isRecordFault } from "@ledgerline/resilience";
import type { RegistryCodec } from "@ledgerline/schema-registry";

export type DecodedPayload =
  | { readonly decoded: true; readonly value: Record<string, unknown> }
  | { readonly decoded: false; readonly hex: string; readonly why: string };

export const decodePayload = async (codec: RegistryCodec, envelope: DeadLetter): Promise<DecodedPayload> => {
  const bytes = envelope.original_value;
  if (!bytes) return { decoded: false, hex: "", why: "the record had no value" };
  const topicId = codec.names.topicIdOf(envelope.original_topic);
  if (!topicId)
    return {
      decoded: false,
      hex: bytes.toString("hex"),
      why: `topic ${envelope.original_topic} is not in the catalogue`,
    };
  try {
    return { decoded: true, value: await codec.decode<Record<string, unknown>>(topicId, bytes) };
  } catch (error) {
    if (!isRecordFault(error)) throw error;
    return { decoded: false, hex: bytes.toString("hex"), why: (error as Error).message };
  }
};

/** One short line for tables: the money fields when decoded, the first bytes in hex otherwise. */
export const previewOf = (payload: DecodedPayload): string => {
  if (!payload.decoded)
    return payload.hex ? `hex ${payload.hex.slice(0, 24)}${payload.hex.length > 24 ? "…" : ""}` : "(empty)";
  const v = payload.value;
  const amount =
    v.amount_minor !== undefined ? `${String(v.amount_minor)} ${String(v.currency ?? "")}`.trim() : "";
  return [v.account_id, amount, v.merchant_name]
    .filter((x) => x !== undefined && x !== "")
    .map(String)
    .join(" ");
};
