// An open-loop client, as upstream traffic is: POSTs at a fixed rate whatever the answers, each sent once
// (no retry), so every answer that is not a 202 is an error a client saw. Reports the answers and the
// accept latency, overall and in a window (the seconds after a fault).
import { AUTH } from "./faultSupport.ts";

interface Answer {
  /** When it was sent, in ms since the load started. */
  readonly at: number;
  readonly ms: number;
  /** HTTP status, or the fetch failure's name (a timeout, a refused connection). */
  readonly status: number | string;
  readonly transactionId?: string | undefined;
  /** What an error answer said (its problem's detail), or the fetch failure's message. */
  readonly detail?: string | undefined;
}

export interface SteadyLoad {
  /** Resolves with every answer once the last POST was answered. */
  readonly done: Promise<readonly Answer[]>;
  /** ms since the load started. */
  elapsed(): number;
}

export const steadyLoad = (
  gatewayUrl: string,
  options: { label: string; perSecond: number; seconds: number },
): SteadyLoad => {
  const started = performance.now();
  const total = options.perSecond * options.seconds;
  const pending: Promise<Answer>[] = [];
  const post = async (index: number): Promise<Answer> => {
    const at = performance.now() - started;
    try {
      const response = await fetch(`${gatewayUrl}/v1/transactions`, {
        method: "POST",
        headers: { ...AUTH, "Idempotency-Key": `${options.label}-${index}` },
        body: JSON.stringify({
          account_id: `ACC-${index % 17}`,
          amount: `${(index % 89) + 1}.${String(index % 100).padStart(2, "0")}`,
          currency: "USD",
          merchant_name: "Chicago Retail Hub",
        }),
        signal: AbortSignal.timeout(30_000),
      });
      const body = (await response.json().catch(() => ({}))) as { transaction_id?: string; detail?: string };
      return {
        at,
        ms: performance.now() - started - at,
        status: response.status,
        transactionId: body.transaction_id,
        detail: response.status === 202 ? undefined : body.detail,
      };
    } catch (error) {
      // fetch says "fetch failed"; its cause says why (a reset connection, a timeout).
      const { name, message, cause } = error as Error & { cause?: { code?: string; message?: string } };
      const why = cause ? ` (${cause.code ?? ""} ${cause.message ?? ""})` : "";
      return { at, ms: performance.now() - started - at, status: name, detail: `${message}${why}` };
    }
  };
  const done = new Promise<readonly Answer[]>((resolve) => {
    let sent = 0;
    // Paced against the clock, not by a fixed interval: a busy event loop sends the missed ones at once.
    const tick = () => {
      const due = Math.min(
        total,
        Math.floor(((performance.now() - started) / 1_000) * options.perSecond) + 1,
      );
      while (sent < due) pending.push(post(sent++));
      if (sent < total) setTimeout(tick, 5);
      else resolve(Promise.all(pending));
    };
    tick();
  });
  return { done, elapsed: () => performance.now() - started };
};

const quantile = (sorted: readonly number[], q: number) =>
  sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] as number);

export interface LoadSummary {
  readonly sent: number;
  readonly accepted: number;
  /** Answers other than 202, by status or failure. */
  readonly errors: Readonly<Record<string, number>>;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** Answers sent in [from, to) ms (all of them by default). */
export const summarise = (
  answers: readonly Answer[],
  from = 0,
  to = Number.POSITIVE_INFINITY,
): LoadSummary => {
  const window = answers.filter((a) => a.at >= from && a.at < to);
  const errors: Record<string, number> = {};
  for (const a of window)
    if (a.status !== 202) errors[String(a.status)] = (errors[String(a.status)] ?? 0) + 1;
  const ms = window.map((a) => a.ms).sort((x, y) => x - y);
  return {
    sent: window.length,
    accepted: window.filter((a) => a.status === 202).length,
    errors,
    p50Ms: Math.round(quantile(ms, 0.5)),
    p99Ms: Math.round(quantile(ms, 0.99)),
    maxMs: Math.round(ms.at(-1) ?? 0),
  };
};

/** "second: errors" for every second of the run with an error, e.g. "9s:12 10s:40". */
export const errorSeconds = (answers: readonly Answer[]) => {
  const bySecond = new Map<number, number>();
  for (const a of answers) {
    if (a.status === 202) continue;
    const second = Math.floor(a.at / 1_000);
    bySecond.set(second, (bySecond.get(second) ?? 0) + 1);
  }
  return [...bySecond.entries()].map(([second, n]) => `${second}s:${n}`).join(" ") || "none";
};

/** Each distinct error answer with its count and when it was first sent, e.g. `503 "Kafka: …" ×31 from 12.3 s`. */
export const errorDetails = (answers: readonly Answer[]) => {
  const seen = new Map<string, { count: number; first: number; slowest: number }>();
  for (const a of answers) {
    if (a.status === 202) continue;
    const key = `${a.status} ${JSON.stringify(a.detail ?? "")}`;
    const entry = seen.get(key) ?? { count: 0, first: a.at, slowest: 0 };
    seen.set(key, { count: entry.count + 1, first: entry.first, slowest: Math.max(entry.slowest, a.ms) });
  }
  return (
    [...seen.entries()]
      .map(
        ([key, e]) =>
          `${key} ×${e.count} from ${(e.first / 1_000).toFixed(1)} s (slowest answer ${Math.round(e.slowest)} ms)`,
      )
      .join("; ") || "none"
  );
};

export const describeSummary = (s: LoadSummary) =>
  `${s.sent} POSTs, ${s.accepted} accepted, errors ${JSON.stringify(s.errors)}, accept latency p50 ${s.p50Ms} ms, p99 ${s.p99Ms} ms, max ${s.maxMs} ms`;
