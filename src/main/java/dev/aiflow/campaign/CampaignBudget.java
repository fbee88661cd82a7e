package dev.aiflow.campaign;

/**
 * What a whole campaign may spend across its tasks (issue 16): when the agents' reported usage
 * reaches a limit, the campaign ends as {@code budget_exhausted} after the running cycle.
 *
 * @param maxTokens tokens over all cycles; 0: no limit
 * @param maxCostUsd USD over all cycles; 0: no limit
 */
public record CampaignBudget(long maxTokens, double maxCostUsd) {

  public static final CampaignBudget NONE = new CampaignBudget(0, 0);

  public CampaignBudget {
    if (maxTokens < 0) {
      throw new CampaignInputException("options.campaignMaxTokens", "must be 0 (off) or more");
    }
    if (maxCostUsd < 0 || Double.isNaN(maxCostUsd) || Double.isInfinite(maxCostUsd)) {
      throw new CampaignInputException("options.campaignMaxCostUsd", "must be 0 (off) or more");
    }
  }

  public boolean limited() {
    return maxTokens > 0 || maxCostUsd > 0;
  }
}
