package io.ledgerline.peers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.text.Normalizer;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;

/**
 * The processor's pure rules (apps/processor/src/domain), ported: validation, the FX conversion, merchant
 * categories, risk flags and the payload hash. One request and its FX row (or null) in, a validated or a
 * rejected record out.
 */
final class Rules {
  static final int RATE_SCALE = 12;
  static final Pattern ACCOUNT_ID = Pattern.compile("^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$");
  static final Pattern CONTROLS = Pattern.compile("[\\u0000-\\u001f\\u007f]");
  static final Pattern SPACES = Pattern.compile("\\s+", Pattern.UNICODE_CHARACTER_CLASS);
  static final long MAX_AMOUNT_MAJOR = 1_000_000_000L;
  static final long FUTURE_SKEW_MS = 5 * 60 * 1000;
  static final Map<String, Integer> EXPONENTS = Map.ofEntries(
      Map.entry("AED", 2), Map.entry("AUD", 2), Map.entry("BHD", 3), Map.entry("BRL", 2), Map.entry("CAD", 2),
      Map.entry("CHF", 2), Map.entry("CLP", 0), Map.entry("CNY", 2), Map.entry("CZK", 2), Map.entry("DKK", 2),
      Map.entry("EUR", 2), Map.entry("GBP", 2), Map.entry("HKD", 2), Map.entry("HUF", 2), Map.entry("IDR", 2),
      Map.entry("ILS", 2), Map.entry("INR", 2), Map.entry("ISK", 0), Map.entry("JOD", 3), Map.entry("JPY", 0),
      Map.entry("KRW", 0), Map.entry("KWD", 3), Map.entry("MXN", 2), Map.entry("NOK", 2), Map.entry("NZD", 2),
      Map.entry("OMR", 3), Map.entry("PLN", 2), Map.entry("SAR", 2), Map.entry("SEK", 2), Map.entry("SGD", 2),
      Map.entry("THB", 2), Map.entry("TND", 3), Map.entry("TRY", 2), Map.entry("TWD", 2), Map.entry("UGX", 0),
      Map.entry("USD", 2), Map.entry("VND", 0), Map.entry("ZAR", 2));
  /** Large-amount thresholds in major units of the transaction's currency (risk.ts). */
  static final Map<String, Long> LARGE = Map.ofEntries(
      Map.entry("USD", 10_000L), Map.entry("EUR", 10_000L), Map.entry("GBP", 8_000L), Map.entry("CHF", 10_000L),
      Map.entry("CAD", 10_000L), Map.entry("AUD", 10_000L), Map.entry("JPY", 1_500_000L), Map.entry("CNY", 70_000L),
      Map.entry("INR", 800_000L), Map.entry("KRW", 13_000_000L), Map.entry("BHD", 3_800L), Map.entry("KWD", 3_000L));

  record Category(Predicate<String> matches, String category) {}

  record Decision(boolean valid, GenericRecord value) {}

  private final String baseCurrency;
  private final List<Category> categories = new ArrayList<>();
  private final Schema validated;
  private final Schema rejected;
  private final Schema reason;
  private final ObjectMapper json = new ObjectMapper();

  Rules(String baseCurrency, File merchantTable, Schema validated, Schema rejected) throws IOException {
    this.baseCurrency = baseCurrency;
    this.validated = validated;
    this.rejected = rejected;
    this.reason = rejected.getField("reasons").schema().getElementType();
    for (JsonNode rule : json.readTree(merchantTable).get("rules")) {
      String category = rule.get("category").asText();
      if (rule.has("prefix")) {
        String prefix = rule.get("prefix").asText();
        categories.add(new Category(name -> name.startsWith(prefix), category));
      } else if (rule.has("contains")) {
        String part = rule.get("contains").asText();
        categories.add(new Category(name -> name.contains(part), category));
      } else {
        Pattern pattern = Pattern.compile(rule.get("pattern").asText());
        categories.add(new Category(name -> pattern.matcher(name).find(), category));
      }
    }
  }

  static String normaliseMerchant(String name) {
    String nfkc = Normalizer.normalize(name, Normalizer.Form.NFKC).replaceAll("\\p{Cc}", " ");
    return SPACES.matcher(nfkc).replaceAll(" ").strip().toUpperCase(Locale.ROOT);
  }

  /** The request (TransactionRequested) and the FX table's row for its currency, if any. */
  Decision decide(GenericRecord request, GenericRecord fxRow, long now) {
    String account = text(request, "account_id");
    String currency = text(request, "currency");
    String merchant = text(request, "merchant_name");
    long amount = (Long) request.get("amount_minor");
    Integer exponent = EXPONENTS.get(currency);
    BigDecimal rate = fxRow == null ? null : decimal((ByteBuffer) fxRow.get("rate"));
    boolean base = currency.equals(baseCurrency);
    if (fxRow != null && !baseCurrency.equals(text(fxRow, "base_currency"))) rate = null;

    List<GenericRecord> reasons = new ArrayList<>();
    if (!ACCOUNT_ID.matcher(account).matches())
      reasons.add(reason("ACCOUNT_ID_FORMAT", "account_id", "account id must be 3-64 letters, digits, '-' or '_'"));
    if (exponent == null) {
      reasons.add(reason("CURRENCY_UNSUPPORTED", "currency", "currency " + currency + " is not supported"));
    } else {
      if (!base && rate == null)
        reasons.add(reason("FX_RATE_MISSING", "currency", "no FX rate for " + currency + " into the base currency"));
      long max = MAX_AMOUNT_MAJOR * pow10(exponent);
      if (amount <= 0 || amount > max)
        reasons.add(reason("AMOUNT_OUT_OF_RANGE", "amount_minor", "amount must be in 1.." + max + " minor units"));
    }
    String normalised = normaliseMerchant(merchant);
    if (normalised.isEmpty()) reasons.add(reason("MERCHANT_MISSING", "merchant_name", "merchant name is empty"));
    for (String field : List.of("account_id", "merchant_name", "client_id", "idempotency_key")) {
      Object value = request.get(field);
      if (value != null && CONTROLS.matcher(value.toString()).find())
        reasons.add(reason("TEXT_CONTROL_CHARACTERS", field, field + " contains control characters"));
    }
    Map<?, ?> metadata = (Map<?, ?>) request.get("metadata");
    for (Map.Entry<?, ?> entry : metadata.entrySet()) {
      if (CONTROLS.matcher(entry.getKey().toString()).find() || CONTROLS.matcher(entry.getValue().toString()).find())
        reasons.add(reason("TEXT_CONTROL_CHARACTERS", "metadata." + entry.getKey(), "metadata contains control characters"));
    }
    if ((Long) request.get("occurred_at") > now + FUTURE_SKEW_MS)
      reasons.add(reason("OCCURRED_IN_FUTURE", "occurred_at", "occurred_at is in the future"));

    String hash = payloadHash(account, amount, currency, merchant);
    if (!reasons.isEmpty()) {
      GenericRecord out = copy(request, rejected);
      for (String field : List.of("account_id", "merchant_name", "client_id"))
        out.put(field, storable(text(request, field)));
      out.put("reasons", reasons);
      out.put("payload_hash", hash);
      out.put("rejected_at", now);
      return new Decision(false, out);
    }
    BigDecimal used = base ? BigDecimal.ONE : rate;
    int baseExponent = EXPONENTS.get(baseCurrency);
    long baseAmount = new BigDecimal(amount).multiply(used).movePointRight(baseExponent - exponent)
        .setScale(0, RoundingMode.HALF_EVEN).longValueExact();
    GenericRecord out = copy(request, validated);
    out.put("merchant_name", normalised);
    out.put("merchant_category", categorise(normalised));
    out.put("base_currency", baseCurrency);
    out.put("base_amount_minor", baseAmount);
    out.put("fx_rate", ByteBuffer.wrap(used.setScale(RATE_SCALE).unscaledValue().toByteArray()));
    out.put("fx_rate_as_of", base ? 0L : (Long) fxRow.get("as_of"));
    out.put("risk_flags", riskFlags(amount, currency, exponent, baseAmount, baseExponent, metadata));
    out.put("payload_hash", hash);
    out.put("validated_at", now);
    return new Decision(true, out);
  }

  String categorise(String normalised) {
    for (Category rule : categories) if (rule.matches().test(normalised)) return rule.category();
    return "unknown";
  }

  static List<String> riskFlags(
      long amount, String currency, int exponent, long baseAmount, int baseExponent, Map<?, ?> metadata) {
    List<String> flags = new ArrayList<>();
    Long threshold = LARGE.get(currency);
    boolean large = threshold != null ? amount >= threshold * pow10(exponent) : baseAmount >= 10_000L * pow10(baseExponent);
    if (large) flags.add("LARGE_AMOUNT");
    String type = first(metadata, "paysim_type", "type");
    if (type != null && type.toUpperCase(Locale.ROOT).equals("TRANSFER") && amount > 200_000L * pow10(exponent))
      flags.add("PAYSIM_LARGE_TRANSFER");
    String fraud = first(metadata, "paysim_is_fraud", "isFraud", "is_fraud");
    if ("1".equals(fraud) || (fraud != null && fraud.toLowerCase(Locale.ROOT).equals("true"))) flags.add("PAYSIM_FRAUD");
    return flags;
  }

  /** SHA-256 hex of JSON.stringify([account_id, amount_minor as text, currency, merchant_name]). */
  String payloadHash(String account, long amount, String currency, String merchant) {
    try {
      byte[] canonical = json.writeValueAsBytes(List.of(account, Long.toString(amount), currency, merchant));
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(canonical));
    } catch (IOException | NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private GenericRecord reason(String code, String field, String message) {
    GenericRecord r = new GenericData.Record(reason);
    r.put("code", code);
    r.put("field", field);
    r.put("message", message);
    return r;
  }

  private static GenericRecord copy(GenericRecord request, Schema schema) {
    GenericRecord out = new GenericData.Record(schema);
    for (Schema.Field field : request.getSchema().getFields()) out.put(field.name(), request.get(field.name()));
    return out;
  }

  private static String first(Map<?, ?> metadata, String... keys) {
    for (String key : keys)
      for (Map.Entry<?, ?> entry : metadata.entrySet())
        if (entry.getKey().toString().equals(key)) return entry.getValue().toString();
    return null;
  }

  private static String storable(String text) {
    return CONTROLS.matcher(text).replaceAll("\ufffd");
  }

  static BigDecimal decimal(ByteBuffer bytes) {
    byte[] unscaled = new byte[bytes.remaining()];
    bytes.duplicate().get(unscaled);
    return new BigDecimal(new java.math.BigInteger(unscaled), RATE_SCALE);
  }

  private static String text(GenericRecord record, String field) {
    return record.get(field).toString();
  }

  private static long pow10(int exponent) {
    long result = 1;
    for (int i = 0; i < exponent; i++) result *= 10;
    return result;
  }
}
