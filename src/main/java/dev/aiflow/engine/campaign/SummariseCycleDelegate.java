package dev.aiflow.engine.campaign;

import dev.aiflow.campaign.CampaignCounters;
import dev.aiflow.campaign.CampaignLoop;
import dev.aiflow.campaign.CircuitBreaker;
import dev.aiflow.engine.EngineVariables;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * {@code Task_SummariseCycle}: the counts {@code Gateway_WayOut} decides on ({@link
 * CampaignCounters}), the circuit breaker ({@link CircuitBreaker}), and whether the queue still has
 * work for this campaign.
 */
@Component
public class SummariseCycleDelegate implements JavaDelegate {

  private final CampaignSupport support;

  SummariseCycleDelegate(CampaignSupport support) {
    this.support = support;
  }

  @Override
  public void execute(DelegateExecution ex) {
    CampaignLoop loop = support.loopWithoutPacks(ex);
    Object tokens = ex.getVariable(CampaignVars.CYCLE_TOKENS);
    Object cost = ex.getVariable(CampaignVars.CYCLE_COST_USD);
    CampaignCounters after =
        CampaignSupport.counters(ex)
            .afterCycle(
                SyncScoreboardDelegate.outcome(ex),
                tokens instanceof Number n ? n.longValue() : null,
                cost instanceof Number n ? n.doubleValue() : null);
    CampaignSupport.setCounters(ex, after);
    EngineVariables.setIfChanged(
        ex, CampaignVars.BUDGET_EXHAUSTED, after.budgetExhausted(loop.spec().budget()));
    CircuitBreaker breaker =
        CampaignSupport.breaker(ex)
            .after(
                SyncScoreboardDelegate.outcome(ex),
                EngineVariables.string(ex, CampaignVars.CYCLE_DISPATCH_OUTCOME, null));
    CampaignSupport.setBreaker(ex, breaker);
    EngineVariables.setIfChanged(
        ex,
        CampaignVars.BREAKER_TRIPPED,
        breaker.tripped(
            EngineVariables.integer(
                ex, CampaignVars.BREAKER_THRESHOLD, CircuitBreaker.DEFAULT_THRESHOLD)));
    EngineVariables.setIfChanged(
        ex,
        CampaignVars.WORK_LEFT,
        loop.workLeft(CampaignSupport.owner(ex), CampaignSupport.setAside(ex)));
  }
}
