package dev.aiflow.campaign;

import dev.aiflow.scoreboard.CycleReport;

/**
 * What a campaign counts after each cycle, for the conditions of {@code Gateway_WayOut}
 * (docs/triage.md, "How a campaign ends"): cycles run, cycles in a row that completed no task, and
 * what the agents spent.
 *
 * @param cyclesDone step cycles run so far
 * @param stagnantCycles cycles in a row whose task did not complete (a completed task resets it)
 * @param tokens tokens the cycles' agents used, as their dispatches reported them
 * @param costUsd what that cost in USD, as reported (0 when no backend reports cost)
 */
public record CampaignCounters(int cyclesDone, int stagnantCycles, long tokens, double costUsd) {

  public static final CampaignCounters START = new CampaignCounters(0, 0, 0, 0);

  public CampaignCounters {
    if (cyclesDone < 0 || stagnantCycles < 0 || tokens < 0 || costUsd < 0) {
      throw new IllegalArgumentException("counters are never negative");
    }
  }

  /**
   * The counts after one more cycle.
   *
   * @param outcome how the cycle moved its task (only {@code COMPLETED} is progress)
   * @param tokens the cycle's tokens, or null when its backend reports none
   * @param costUsd the cycle's cost, or null when its backend reports none
   */
  public CampaignCounters afterCycle(CycleReport.Outcome outcome, Long tokens, Double costUsd) {
    return new CampaignCounters(
        cyclesDone + 1,
        outcome == CycleReport.Outcome.COMPLETED ? 0 : stagnantCycles + 1,
        this.tokens + Math.max(0, tokens == null ? 0 : tokens),
        this.costUsd + Math.max(0, costUsd == null ? 0 : costUsd));
  }

  /** Whether the spend reached a limit of {@code budget} (a limit of 0 is off). */
  public boolean budgetExhausted(CampaignBudget budget) {
    return (budget.maxTokens() > 0 && tokens >= budget.maxTokens())
        || (budget.maxCostUsd() > 0 && costUsd >= budget.maxCostUsd());
  }
}
