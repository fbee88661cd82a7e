package dev.aiflow.budget;

import dev.aiflow.protocol.Limits;
import java.util.Locale;
import java.util.Optional;

/**
 * A budget over several attempts: a task's across its rework rounds, a campaign's across its tasks.
 * Null members are unlimited. A budget is exhausted once the spend reaches a limit: no further
 * attempt may start. {@link #remaining} turns what is left into the budget of the next step, so the
 * step is stopped live the moment the larger budget runs out.
 */
public record Budget(Long maxTokens, Double maxCostUsd, Long maxTurns) {

  public static Budget none() {
    return new Budget(null, null, null);
  }

  public boolean limited() {
    return maxTokens != null || maxCostUsd != null || maxTurns != null;
  }

  /**
   * Whether {@code spent} exhausts this budget.
   *
   * @param exhausted no further attempt may start
   * @param reason which limit, in words, or null
   * @param costLowerBound the spend has attempts of unknown cost: a cost limit may already be
   *     passed
   */
  public record Verdict(boolean exhausted, String reason, boolean costLowerBound) {}

  public Verdict check(Spend spent) {
    boolean lowerBound = maxCostUsd != null && !spent.costComplete();
    if (maxTokens != null && spent.tokens() >= maxTokens) {
      return new Verdict(
          true, "used " + spent.tokens() + " tokens of max_tokens=" + maxTokens, lowerBound);
    }
    if (maxCostUsd != null && spent.costUsd() >= maxCostUsd) {
      return new Verdict(
          true,
          String.format(
              Locale.ROOT,
              "spent $%s%s of max_cost_usd=%s",
              spent.cost(),
              spent.costComplete() ? "" : " or more",
              maxCostUsd),
          lowerBound);
    }
    if (maxTurns != null && spent.turns() >= maxTurns) {
      return new Verdict(
          true, "took " + spent.turns() + " turns of max_turns=" + maxTurns, lowerBound);
    }
    return new Verdict(false, null, lowerBound);
  }

  /**
   * The next step's limits: its own, with each budget member lowered to what this budget has left
   * after {@code spent}. Empty when nothing is left (the step must not start).
   */
  public Optional<Limits> remaining(Spend spent, Limits step) {
    if (check(spent).exhausted()) {
      return Optional.empty();
    }
    Long tokens = min(step.maxTokens(), maxTokens == null ? null : maxTokens - spent.tokens());
    Double cost =
        maxCostUsd == null
            ? step.maxCostUsd()
            : step.maxCostUsd() == null
                ? maxCostUsd - spent.costUsd()
                : Math.min(step.maxCostUsd(), maxCostUsd - spent.costUsd());
    Long turns =
        min(
            step.maxTurns() == null ? null : step.maxTurns().longValue(),
            maxTurns == null ? null : maxTurns - spent.turns());
    return Optional.of(
        step.withBudget(
            tokens, cost, turns == null ? null : (int) Math.min(Integer.MAX_VALUE, turns)));
  }

  private static Long min(Long a, Long b) {
    return a == null ? b : b == null ? a : Math.min(a, b);
  }
}
