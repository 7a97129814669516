// ISO 4217 minor-unit exponents for the currencies the ledger accepts.
// Exponent = number of decimal places of the minor unit (USD 2 → cents, JPY 0, BHD 3).
export const currencyExponents = {
  AED: 2,
  AUD: 2,
  BHD: 3,
  BRL: 2,
  CAD: 2,
  CHF: 2,
  CLP: 0,
  CNY: 2,
  CZK: 2,
  DKK: 2,
  EUR: 2,
  GBP: 2,
  HKD: 2,
  HUF: 2,
  IDR: 2,
  ILS: 2,
  INR: 2,
  ISK: 0,
  JOD: 3,
  JPY: 0,
  KRW: 0,
  KWD: 3,
  MXN: 2,
  NOK: 2,
  NZD: 2,
  OMR: 3,
  PLN: 2,
  SAR: 2,
  SEK: 2,
  SGD: 2,
  THB: 2,
  TND: 3,
  TRY: 2,
  TWD: 2,
  UGX: 0,
  USD: 2,
  VND: 0,
  ZAR: 2,
} as const satisfies Record<string, number>;

export type CurrencyCode = keyof typeof currencyExponents;

export const isSupportedCurrency = (code: string): code is CurrencyCode =>
  Object.hasOwn(currencyExponents, code);

export const exponentOf = (code: CurrencyCode): number => currencyExponents[code];
