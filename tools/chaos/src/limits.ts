// The limited accounts' overdraft limits, set through the gateway with each client's own key before the
// load; the checker holds the ledger to them.
import { setTimeout as sleep } from "node:timers/promises";
import { type ApiClient, formatAmount, LIMITED_ACCOUNTS } from "./traffic.ts";

/** A limit the run set, as the gateway answered the PUT. */
export interface LimitSet {
  readonly clientId: string;
  readonly accountId: string;
  readonly currency: string;
  readonly ledgerAccount: string;
  readonly limitMinor: number;
  /** limit_updated_at as answered (epoch ms): the limit must still be this one at the end. */
  readonly updatedAtMs: number;
}

/**
 * Gives each client's limited accounts their overdraft limit through the gateway (PUT
 * /v1/accounts/{id}/limits with the client's own key), before any load. A 5xx, 429 or refused connection is
 * retried; any other answer but 200 ends the run.
 */
export const setLimits = async (
  gatewayUrl: string,
  clients: readonly ApiClient[],
  timeoutMs = 60_000,
): Promise<LimitSet[]> => {
  const deadline = Date.now() + timeoutMs;
  const set: LimitSet[] = [];
  for (const client of clients) {
    for (const account of LIMITED_ACCOUNTS) {
      for (let attempt = 0; ; attempt++) {
        if (Date.now() > deadline) throw new Error(`no limit set on ${account.accountId} in ${timeoutMs} ms`);
        const response = await fetch(`${gatewayUrl}/v1/accounts/${account.accountId}/limits`, {
          method: "PUT",
          headers: { Authorization: `Bearer ${client.apiKey}`, "Content-Type": "application/json" },
          body: JSON.stringify({
            currency: account.currency,
            overdraft_limit: formatAmount(account.limitMinor, account.currency),
          }),
          signal: AbortSignal.timeout(15_000),
        }).catch(() => undefined);
        const answer = (await response?.json().catch(() => ({}))) as {
          ledger_account?: string;
          balances?: {
            currency: string;
            overdraft_limit_minor: string | null;
            limit_updated_at: string | null;
          }[];
        };
        if (response?.status === 200) {
          const balance = answer.balances?.find((b) => b.currency === account.currency);
          if (balance?.overdraft_limit_minor !== String(account.limitMinor) || !balance.limit_updated_at)
            throw new Error(`PUT limits of ${account.accountId} answered ${JSON.stringify(answer)}`);
          set.push({
            clientId: client.clientId,
            accountId: account.accountId,
            currency: account.currency,
            ledgerAccount: answer.ledger_account ?? `customer:${client.clientId}:${account.accountId}`,
            limitMinor: account.limitMinor,
            updatedAtMs: Date.parse(balance.limit_updated_at),
          });
          break;
        }
        if (response && response.status < 500 && response.status !== 429)
          throw new Error(
            `PUT limits of ${account.accountId} answered ${response.status} ${JSON.stringify(answer)}`,
          );
        await sleep(Math.min(2_000, 100 * 2 ** Math.min(attempt, 4)));
      }
    }
  }
  return set;
};
