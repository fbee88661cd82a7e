package dev.aiflow.worker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * What one agent run used, as its shim reported it (docs/protocol.md, "Usage lines"). Every number
 * is nullable: null means "not reported", never zero. An external shim that reports nothing gives
 * {@link #UNKNOWN}.
 *
 * @param inputTokens input tokens that were neither read from nor written to the prompt cache
 * @param outputTokens output tokens, reasoning included
 * @param cacheReadTokens input tokens read from the prompt cache
 * @param cacheWriteTokens input tokens written to the prompt cache
 * @param reasoningTokens the part of {@code outputTokens} spent on reasoning, where reported
 * @param costUsd what the run cost: the CLI's own figure, or an estimate from the price table
 * @param costSource where {@code costUsd} comes from
 * @param turns agent turns the run took
 */
public record AgentUsage(
    String backend,
    String model,
    String threadId,
    Long inputTokens,
    Long outputTokens,
    Long cacheReadTokens,
    Long cacheWriteTokens,
    Long reasoningTokens,
    Double costUsd,
    CostSource costSource,
    Integer turns) {

  /** Nothing reported. */
  public static final AgentUsage UNKNOWN =
      new AgentUsage(null, null, null, null, null, null, null, null, null, null, null);

  private static final ObjectMapper JSON = new ObjectMapper();

  public AgentUsage {
    // a source without a figure says nothing: no cost is an unknown cost
    costSource =
        costUsd == null
            ? CostSource.UNKNOWN
            : costSource == null || costSource == CostSource.UNKNOWN
                ? CostSource.REPORTED
                : costSource;
  }

  /** Where a cost figure comes from. */
  public enum CostSource {
    /** The agent CLI reported the cost itself. */
    REPORTED,
    /** aiflow computed it from the tokens and the price table in its configuration. */
    ESTIMATED,
    /** No figure: the CLI reports none and the model has no price. */
    UNKNOWN;

    public String json() {
      return name().toLowerCase(Locale.ROOT);
    }

    static CostSource parse(String s) {
      if (s == null) {
        return null;
      }
      try {
        return valueOf(s.toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        return null;
      }
    }
  }

  /** Whether the shim reported anything at all. */
  public boolean reported() {
    return inputTokens != null
        || outputTokens != null
        || cacheReadTokens != null
        || cacheWriteTokens != null
        || costUsd != null
        || turns != null;
  }

  /**
   * Every token the run processed: input, cache reads, cache writes and output (reasoning is part
   * of output); null when no token count was reported. This is what {@code max_tokens} limits.
   */
  public Long totalTokens() {
    if (inputTokens == null
        && outputTokens == null
        && cacheReadTokens == null
        && cacheWriteTokens == null) {
      return null;
    }
    return n(inputTokens) + n(outputTokens) + n(cacheReadTokens) + n(cacheWriteTokens);
  }

  public AgentUsage withThreadId(String value) {
    return new AgentUsage(
        backend,
        model,
        value,
        inputTokens,
        outputTokens,
        cacheReadTokens,
        cacheWriteTokens,
        reasoningTokens,
        costUsd,
        costSource,
        turns);
  }

  public AgentUsage withCost(Double value, CostSource source) {
    return new AgentUsage(
        backend,
        model,
        threadId,
        inputTokens,
        outputTokens,
        cacheReadTokens,
        cacheWriteTokens,
        reasoningTokens,
        value,
        source,
        turns);
  }

  public AgentUsage withBackend(String value) {
    return new AgentUsage(
        value,
        model,
        threadId,
        inputTokens,
        outputTokens,
        cacheReadTokens,
        cacheWriteTokens,
        reasoningTokens,
        costUsd,
        costSource,
        turns);
  }

  /** The JSON object of a usage line: snake_case, unreported members left out. */
  public ObjectNode toTree() {
    ObjectNode o = JSON.createObjectNode();
    putIfSet(o, "backend", backend);
    putIfSet(o, "model", model);
    putIfSet(o, "thread_id", threadId);
    putIfSet(o, "input_tokens", inputTokens);
    putIfSet(o, "output_tokens", outputTokens);
    putIfSet(o, "cache_read_tokens", cacheReadTokens);
    putIfSet(o, "cache_write_tokens", cacheWriteTokens);
    putIfSet(o, "reasoning_tokens", reasoningTokens);
    if (costUsd != null) {
      o.put("cost_usd", costUsd);
    }
    o.put("cost_source", costSource.json());
    if (turns != null) {
      o.put("turns", turns);
    }
    return o;
  }

  /** Reads a usage object leniently: a member of the wrong type counts as not reported. */
  public static AgentUsage fromTree(JsonNode o) {
    if (o == null || !o.isObject()) {
      return UNKNOWN;
    }
    Double cost = o.path("cost_usd").isNumber() ? o.get("cost_usd").doubleValue() : null;
    if (cost != null && (cost.isNaN() || cost.isInfinite() || cost < 0)) {
      cost = null;
    }
    CostSource source = CostSource.parse(text(o, "cost_source"));
    return new AgentUsage(
        text(o, "backend"),
        text(o, "model"),
        text(o, "thread_id"),
        count(o, "input_tokens"),
        count(o, "output_tokens"),
        count(o, "cache_read_tokens"),
        count(o, "cache_write_tokens"),
        count(o, "reasoning_tokens"),
        cost,
        cost == null ? CostSource.UNKNOWN : source,
        o.path("turns").canConvertToInt() && o.get("turns").asInt() >= 0
            ? o.get("turns").asInt()
            : null);
  }

  /**
   * The usage as the chain's attempt event records it ({@code usage}, docs/chain-format.md): only
   * strings and integers, since the chain's canonical JSON holds no fractions; the cost is a
   * decimal string and a whole number of micro-dollars.
   */
  public Map<String, Object> chainFields(long wallMs) {
    Map<String, Object> f = new LinkedHashMap<>();
    f.put("reported", reported());
    putIfSet(f, "backend", backend);
    putIfSet(f, "model", model);
    putIfSet(f, "input_tokens", inputTokens);
    putIfSet(f, "output_tokens", outputTokens);
    putIfSet(f, "cache_read_tokens", cacheReadTokens);
    putIfSet(f, "cache_write_tokens", cacheWriteTokens);
    putIfSet(f, "reasoning_tokens", reasoningTokens);
    putIfSet(f, "total_tokens", totalTokens());
    if (costUsd != null) {
      f.put("cost_usd", costString(costUsd));
      f.put("cost_usd_micros", micros(costUsd));
    }
    f.put("cost_source", costSource.json());
    putIfSet(f, "turns", turns == null ? null : turns.longValue());
    f.put("wall_ms", wallMs);
    return f;
  }

  /** A cost as a plain decimal with six places, e.g. {@code 0.012500}. */
  public static String costString(double usd) {
    return BigDecimal.valueOf(usd).setScale(6, RoundingMode.HALF_UP).toPlainString();
  }

  public static long micros(double usd) {
    return BigDecimal.valueOf(usd).movePointRight(6).setScale(0, RoundingMode.HALF_UP).longValue();
  }

  private static long n(Long v) {
    return v == null ? 0 : v;
  }

  private static String text(JsonNode o, String name) {
    JsonNode v = o.get(name);
    return v != null && v.isTextual() && !v.asText().isBlank() ? v.asText() : null;
  }

  private static Long count(JsonNode o, String name) {
    JsonNode v = o.get(name);
    return v != null && v.canConvertToLong() && v.isIntegralNumber() && v.asLong() >= 0
        ? v.asLong()
        : null;
  }

  private static void putIfSet(ObjectNode o, String name, String value) {
    if (value != null) {
      o.put(name, value);
    }
  }

  private static void putIfSet(ObjectNode o, String name, Long value) {
    if (value != null) {
      o.put(name, value);
    }
  }

  private static void putIfSet(Map<String, Object> f, String name, Object value) {
    if (value != null) {
      f.put(name, value);
    }
  }
}
