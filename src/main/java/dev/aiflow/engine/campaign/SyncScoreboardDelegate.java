package dev.aiflow.engine.campaign;

import dev.aiflow.engine.EngineVariables;
import dev.aiflow.scoreboard.CycleReport;
import java.time.Instant;
import java.util.Locale;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** {@code Task_SyncScoreboard} (its own job): the cycle on the scoreboard, once per run. */
@Component
public class SyncScoreboardDelegate implements JavaDelegate {

  private final CampaignSupport support;

  SyncScoreboardDelegate(CampaignSupport support) {
    this.support = support;
  }

  @Override
  public void execute(DelegateExecution ex) {
    Object started = ex.getVariable(CampaignVars.CYCLE_STARTED_AT);
    support
        .loopWithoutPacks(ex)
        .recordCycle(
            ex.getProcessInstanceId(),
            CampaignSupport.taskKey(ex),
            CampaignSupport.runId(ex),
            outcome(ex),
            EngineVariables.integer(ex, CampaignVars.CYCLE_REWORK_ROUNDS, 0),
            EngineVariables.string(ex, CampaignVars.CYCLE_QA_VERDICT, null),
            EngineVariables.string(ex, CampaignVars.CYCLE_QA_REASON_CODE, null),
            CampaignSupport.counts(EngineVariables.json(ex, CampaignVars.QUEUE_COUNTS)),
            started instanceof Number n ? Instant.ofEpochMilli(n.longValue()) : null);
  }

  static CycleReport.Outcome outcome(DelegateExecution ex) {
    return CycleReport.Outcome.valueOf(
        EngineVariables.string(ex, CampaignVars.LAST_CYCLE_RESULT, "failed")
            .toUpperCase(Locale.ROOT));
  }
}
