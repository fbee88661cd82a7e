package dev.aiflow.engine.campaign;

import com.fasterxml.jackson.databind.JsonNode;
import dev.aiflow.budget.BudgetLedger;
import dev.aiflow.engine.EngineVariables;
import dev.aiflow.logger.ChainEvent;
import dev.aiflow.scoreboard.ClaimsLedger;
import dev.aiflow.scoreboard.CycleReport;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
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
    String taskKey = CampaignSupport.taskKey(ex);
    String runId = CampaignSupport.runId(ex);
    // what the cycle's attempts spent and which of their claims the workspace contradicted: read
    // from the chain, the record of what happened
    List<ChainEvent> events =
        support
            .loggers()
            .logger(EngineVariables.string(ex, CampaignVars.PROJECT_ID, "default"))
            .taskEvents(taskKey);
    // an attempt names its run in its context, a review at the top (docs/chain-format.md)
    Predicate<JsonNode> thisRun =
        n ->
            runId != null
                && (runId.equals(n.path("run_id").asText())
                    || runId.equals(n.path("context").path("run_id").asText()));
    support
        .loopWithoutPacks(ex)
        .recordCycle(
            ex.getProcessInstanceId(),
            taskKey,
            runId,
            outcome(ex),
            EngineVariables.integer(ex, CampaignVars.CYCLE_REWORK_ROUNDS, 0),
            EngineVariables.string(ex, CampaignVars.CYCLE_QA_VERDICT, null),
            EngineVariables.string(ex, CampaignVars.CYCLE_QA_REASON_CODE, null),
            CampaignSupport.counts(EngineVariables.json(ex, CampaignVars.QUEUE_COUNTS)),
            started instanceof Number n ? Instant.ofEpochMilli(n.longValue()) : null,
            BudgetLedger.byBackendModel(events, thisRun),
            ClaimsLedger.byBackendModel(events, thisRun));
  }

  static CycleReport.Outcome outcome(DelegateExecution ex) {
    return CycleReport.Outcome.valueOf(
        EngineVariables.string(ex, CampaignVars.LAST_CYCLE_RESULT, "failed")
            .toUpperCase(Locale.ROOT));
  }
}
