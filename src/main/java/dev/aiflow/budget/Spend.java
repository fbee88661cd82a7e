package dev.aiflow.budget;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aiflow.worker.AgentUsage;
import java.math.BigDecimal;

/**
 * What some attempts used, summed: one attempt's usage, a task's rounds, a campaign's tasks. Costs
 * are whole micro-dollars so sums stay exact. An attempt whose cost is not known (its shim reported
 * none, or no price for its model) adds no cost and is counted in {@link #costUnknown}: a sum with
 * unknown parts is a lower bound, and says so.
 *
 * @param attempts attempts counted
 * @param reported attempts whose shim reported any usage
 * @param tokens every token processed (docs/chain-format.md, {@code usage.total_tokens})
 * @param costMicros the known costs, in millionths of a US dollar
 * @param costUnknown attempts without a cost figure
 * @param costEstimated attempts whose cost is aiflow's estimate from its price table
 * @param turns agent turns
 * @param wallMs wall-clock time of the agent runs
 */
public record Spend(
    int attempts,
    int reported,
    long tokens,
    long costMicros,
    int costUnknown,
    int costEstimated,
    long turns,
    long wallMs) {

  public static final Spend NONE = new Spend(0, 0, 0, 0, 0, 0, 0, 0);

  private static final ObjectMapper JSON = new ObjectMapper();

  /** One attempt. */
  public static Spend of(AgentUsage usage, long wallMs) {
    boolean costKnown = usage.costUsd() != null;
    return new Spend(
        1,
        usage.reported() ? 1 : 0,
        usage.totalTokens() == null ? 0 : usage.totalTokens(),
        costKnown ? AgentUsage.micros(usage.costUsd()) : 0,
        costKnown ? 0 : 1,
        usage.costSource() == AgentUsage.CostSource.ESTIMATED ? 1 : 0,
        usage.turns() == null ? 0 : usage.turns(),
        wallMs);
  }

  /**
   * One attempt event of the chain, from its {@code usage} member; an attempt written before aiflow
   * recorded usage counts as an attempt with nothing known.
   */
  public static Spend ofAttemptEvent(JsonNode event) {
    JsonNode u = event.path("usage");
    if (!u.isObject()) {
      return new Spend(1, 0, 0, 0, 1, 0, 0, 0);
    }
    boolean costKnown = u.has("cost_usd_micros");
    return new Spend(
        1,
        u.path("reported").asBoolean(false) ? 1 : 0,
        u.path("total_tokens").asLong(0),
        costKnown ? u.path("cost_usd_micros").asLong(0) : 0,
        costKnown ? 0 : 1,
        "estimated".equals(u.path("cost_source").asText()) ? 1 : 0,
        u.path("turns").asLong(0),
        u.path("wall_ms").asLong(0));
  }

  public Spend plus(Spend o) {
    return new Spend(
        attempts + o.attempts,
        reported + o.reported,
        tokens + o.tokens,
        costMicros + o.costMicros,
        costUnknown + o.costUnknown,
        costEstimated + o.costEstimated,
        turns + o.turns,
        wallMs + o.wallMs);
  }

  public double costUsd() {
    return costMicros / 1_000_000.0;
  }

  /** The cost as a plain decimal string, e.g. {@code 0.012500}. */
  public String cost() {
    return BigDecimal.valueOf(costMicros).movePointLeft(6).toPlainString();
  }

  /** Whether every attempt's cost is known (otherwise {@link #costUsd()} is a lower bound). */
  public boolean costComplete() {
    return costUnknown == 0;
  }

  public ObjectNode toTree() {
    ObjectNode o = JSON.createObjectNode();
    o.put("attempts", attempts);
    o.put("reported", reported);
    o.put("tokens", tokens);
    o.put("cost_usd", cost());
    o.put("cost_usd_micros", costMicros);
    o.put("cost_unknown_attempts", costUnknown);
    o.put("cost_estimated_attempts", costEstimated);
    o.put("turns", turns);
    o.put("wall_ms", wallMs);
    return o;
  }

  public static Spend fromTree(JsonNode o) {
    if (o == null || !o.isObject()) {
      return NONE;
    }
    return new Spend(
        o.path("attempts").asInt(),
        o.path("reported").asInt(),
        o.path("tokens").asLong(),
        o.path("cost_usd_micros").asLong(),
        o.path("cost_unknown_attempts").asInt(),
        o.path("cost_estimated_attempts").asInt(),
        o.path("turns").asLong(),
        o.path("wall_ms").asLong());
  }
}
