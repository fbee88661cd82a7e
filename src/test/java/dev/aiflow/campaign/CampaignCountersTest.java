package dev.aiflow.campaign;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aiflow.scoreboard.CycleReport.Outcome;
import org.junit.jupiter.api.Test;

/** The counts Gateway_WayOut decides on: stagnation and spend. */
class CampaignCountersTest {

  @Test
  void aCompletedTaskResetsStagnationAndEveryOtherOutcomeAddsToIt() {
    CampaignCounters c =
        CampaignCounters.START
            .afterCycle(Outcome.FAILED, null, null)
            .afterCycle(Outcome.REQUEUED, null, null);
    assertThat(c.cyclesDone()).isEqualTo(2);
    assertThat(c.stagnantCycles()).isEqualTo(2);

    CampaignCounters after = c.afterCycle(Outcome.COMPLETED, null, null);
    assertThat(after.cyclesDone()).isEqualTo(3);
    assertThat(after.stagnantCycles()).isZero();
  }

  @Test
  void spendIsSummedOverCyclesAndAMissingReportAddsNothing() {
    CampaignCounters c =
        CampaignCounters.START
            .afterCycle(Outcome.COMPLETED, 1_000L, 0.01)
            .afterCycle(Outcome.FAILED, null, null)
            .afterCycle(Outcome.FAILED, 500L, 0.02);
    assertThat(c.tokens()).isEqualTo(1_500L);
    assertThat(c.costUsd()).isCloseTo(0.03, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void theBudgetIsExhaustedAtEitherLimitAndAZeroLimitIsOff() {
    CampaignCounters spent = new CampaignCounters(2, 0, 2_000, 0.5);
    assertThat(spent.budgetExhausted(CampaignBudget.NONE)).isFalse();
    assertThat(spent.budgetExhausted(new CampaignBudget(2_000, 0))).isTrue();
    assertThat(spent.budgetExhausted(new CampaignBudget(2_001, 0))).isFalse();
    assertThat(spent.budgetExhausted(new CampaignBudget(0, 0.5))).isTrue();
    assertThat(spent.budgetExhausted(new CampaignBudget(0, 0.51))).isFalse();
    assertThat(spent.budgetExhausted(new CampaignBudget(10_000, 0.25))).isTrue();
  }

  @Test
  void aNegativeLimitIsRefusedNamingTheOption() {
    assertThatThrownBy(() -> new CampaignBudget(-1, 0))
        .isInstanceOfSatisfying(
            CampaignInputException.class,
            e -> assertThat(e.field()).isEqualTo("options.campaignMaxTokens"));
    assertThatThrownBy(() -> new CampaignBudget(0, Double.NaN))
        .isInstanceOfSatisfying(
            CampaignInputException.class,
            e -> assertThat(e.field()).isEqualTo("options.campaignMaxCostUsd"));
  }
}
