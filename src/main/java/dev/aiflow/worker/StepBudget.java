package dev.aiflow.worker;

import dev.aiflow.protocol.Limits;
import java.util.Locale;
import java.util.Optional;

/**
 * A step's budget ({@code max_tokens}, {@code max_cost_usd}, {@code max_turns}); null members are
 * unlimited. A running total passes the budget when it is strictly greater than the limit.
 */
public record StepBudget(Long maxTokens, Double maxCostUsd, Integer maxTurns) {

  public static StepBudget none() {
    return new StepBudget(null, null, null);
  }

  public static StepBudget of(Limits limits) {
    return new StepBudget(limits.maxTokens(), limits.maxCostUsd(), limits.maxTurns());
  }

  public boolean limited() {
    return maxTokens != null || maxCostUsd != null || maxTurns != null;
  }

  /** Why {@code usage} is over this budget, or empty when it is not (or not measurable). */
  public Optional<String> exceededBy(AgentUsage usage) {
    Long tokens = usage.totalTokens();
    if (maxTokens != null && tokens != null && tokens > maxTokens) {
      return Optional.of("the agent used " + tokens + " tokens, over max_tokens=" + maxTokens);
    }
    if (maxCostUsd != null && usage.costUsd() != null && usage.costUsd() > maxCostUsd) {
      return Optional.of(
          String.format(
              Locale.ROOT,
              "the agent cost $%s (%s), over max_cost_usd=%s",
              AgentUsage.costString(usage.costUsd()),
              usage.costSource().json(),
              maxCostUsd));
    }
    if (maxTurns != null && usage.turns() != null && usage.turns() > maxTurns) {
      return Optional.of("the agent took " + usage.turns() + " turns, over max_turns=" + maxTurns);
    }
    return Optional.empty();
  }

  /**
   * What this budget cannot enforce for a run that reported {@code usage}: a cost cap without a
   * cost figure, a token cap without token counts, a turn cap without turns. Empty when all is
   * measurable.
   */
  public Optional<String> unenforceable(AgentUsage usage) {
    StringBuilder s = new StringBuilder();
    if (maxTokens != null && usage.totalTokens() == null) {
      s.append("max_tokens (no token counts reported)");
    }
    if (maxCostUsd != null && usage.costUsd() == null) {
      s.append(s.length() == 0 ? "" : "; ").append("max_cost_usd (no cost reported or priced)");
    }
    if (maxTurns != null && usage.turns() == null) {
      s.append(s.length() == 0 ? "" : "; ").append("max_turns (no turns reported)");
    }
    return s.length() == 0 ? Optional.empty() : Optional.of(s.toString());
  }
}
