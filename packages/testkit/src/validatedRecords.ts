// The records the tests and benchmarks feed the stages, written once: a valid payment as the gateway
// accepts it, and as the processor outputs it (its payload hash taken after the overrides, as the
// processor takes it).
import { randomUUID } from "node:crypto";
import type { TransactionRequested, TransactionValidated } from "@ledgerline/contracts";
import { payloadHash } from "@ledgerline/domain";

/** A valid USD payment request; `overrides` replace fields. */
export const requestedRecord = (overrides: Partial<TransactionRequested> = {}): TransactionRequested => ({
  transaction_id: randomUUID(),
  account_id: "ACC-1001",
  amount_minor: 125075n,
  currency: "USD",
  merchant_name: "Acme Books",
  occurred_at: new Date("2025-01-02T03:04:05.000Z"),
  accepted_at: new Date("2025-01-02T03:04:06.000Z"),
  client_id: "test",
  idempotency_key: null,
  metadata: {},
  type: "payment",
  counterparty_account_id: null,
  original_transaction_id: null,
  ...overrides,
});

/** A valid USD payment; `overrides` replace fields before the hash is taken (or give the hash itself). */
export const validatedRecord = (overrides: Partial<TransactionValidated> = {}): TransactionValidated => {
  const base = {
    ...requestedRecord(),
    merchant_category: "retail",
    base_currency: "USD",
    base_amount_minor: 125075n,
    fx_rate: "1.000000000000",
    fx_rate_as_of: new Date("2025-01-01T00:00:00.000Z"),
    risk_flags: [],
    validated_at: new Date(),
    ...overrides,
  };
  return { ...base, payload_hash: overrides.payload_hash ?? payloadHash(base) };
};

/** Record `i` of the sink benchmarks (bench:sink, bench:peers): a valid USD payment, 5,000 accounts. */
export const sinkBenchRecord = (i: number, riskFlags: readonly string[] = []): TransactionValidated =>
  validatedRecord({
    account_id: `ACC-${i % 5_000}`,
    amount_minor: BigInt(100 + (i % 100_000)),
    merchant_name: `Merchant ${i % 500}`,
    occurred_at: new Date(1_735_000_000_000 + i),
    accepted_at: new Date(1_735_000_000_000 + i),
    client_id: "bench",
    base_amount_minor: BigInt(100 + (i % 100_000)),
    fx_rate_as_of: new Date(1_735_000_000_000),
    risk_flags: [...riskFlags],
  });
