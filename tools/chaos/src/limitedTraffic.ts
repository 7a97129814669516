// A limited account's share of the traffic: credits, debits and bursts of debits that run it into its
// overdraft limit, so the run shows the sink refusing exactly the debits past it.
import { type Random, weighted } from "./random.ts";
import {
  ACCOUNTS,
  type Kind,
  LIMITED_ACCOUNTS,
  type LimitedIntent,
  MERCHANTS,
  type PlannedRequest,
  type Slot,
} from "./traffic.ts";

const LIMITED_WEIGHTS: readonly (readonly ["cash_in" | "transfer-in" | "debit" | "burst", number])[] = [
  ["cash_in", 0.14],
  ["transfer-in", 0.1],
  ["debit", 0.6],
  ["burst", 0.16],
];
const DEBIT_KINDS: readonly Kind[] = ["payment", "transfer", "cash_out", "debit"];

/**
 * A slot of a limited account's traffic: a credit (a cash_in, or a transfer into it from an account without
 * a limit), one debit of it, or a burst of debits of it sent at once. Its debits are of every kind, each
 * more than its credits on average, so it runs into its limit; a transfer goes to the client's other limited
 * account in that currency when there is one (both directions happen: batches lock both rows), else to one
 * without a limit. None of it is ever refunded (a refund of a transfer into a limited account would debit it).
 */
export const planLimited = (random: Random, clients: number, key: string, resend: () => boolean): Slot => {
  const client = clients > 1 ? random.int(0, clients - 1) : 0;
  const account = random.pick(LIMITED_ACCOUNTS);
  const what = weighted(random, LIMITED_WEIGHTS);
  const amount = (low: number, high: number) =>
    account.currency === "JPY" ? random.int(low, high) : random.int(low, high) * 100 + random.int(0, 99);
  const base = { idBy: "idempotency-key" as const, client, currency: account.currency };
  if (what === "cash_in")
    return [
      {
        ...base,
        key,
        type: "cash_in",
        accountId: account.accountId,
        amountMinor: amount(40, 180),
        limited: "credit",
        resend: resend(),
      },
    ];
  if (what === "transfer-in")
    return [
      {
        ...base,
        key,
        type: "transfer",
        accountId: random.pick(ACCOUNTS),
        counterpartyAccountId: account.accountId,
        amountMinor: amount(20, 120),
        limited: "credit",
        resend: resend(),
      },
    ];
  const debit = (suffix: string, intent: LimitedIntent): PlannedRequest => {
    const type = random.pick(DEBIT_KINDS);
    const peer = LIMITED_ACCOUNTS.find(
      (other) => other.currency === account.currency && other.accountId !== account.accountId,
    );
    return {
      ...base,
      key: `${key}${suffix}`,
      type,
      accountId: account.accountId,
      amountMinor: amount(10, 130),
      ...(type === "payment" || random.chance(0.3) ? { merchantName: random.pick(MERCHANTS) } : {}),
      ...(type === "transfer"
        ? { counterpartyAccountId: peer && random.chance(0.6) ? peer.accountId : random.pick(ACCOUNTS) }
        : {}),
      limited: intent,
      resend: resend(),
    };
  };
  if (what === "debit") return [debit("", "debit")];
  return Array.from({ length: random.int(2, 4) }, (_, n) => debit(`-${n}`, "burst"));
};
