// Small helpers over @platformatic/kafka errors. Which errors are transient, and what each needs, is
// decided in @ledgerline/resilience (classifyFault + retryPolicy); these only ask it.
import { classifyFault } from "@ledgerline/resilience";

/** Another instance took our transactional id, or the producer's state is unusable: re-create it. */
export const isFencedOrFatal = (error: unknown): boolean => classifyFault(error).reason === "Fenced";

export const describeError = (error: unknown): string => {
  if (!(error instanceof Error)) return String(error);
  const nested = (error as { errors?: unknown[] }).errors;
  const inner =
    Array.isArray(nested) && nested.length > 0 ? ` (${nested.map(describeError).join("; ")})` : "";
  const cause = error.cause instanceof Error ? ` [cause: ${describeError(error.cause)}]` : "";
  return `${error.name}: ${error.message}${inner}${cause}`;
};
