package dev.aiflow.engine.campaign;

import dev.aiflow.campaign.CampaignLoop;
import dev.aiflow.engine.ChainAnchors;
import dev.aiflow.engine.EngineVariables;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * {@code Task_FinalizeQueue} (its own job): the task's next status and its record in the chain.
 * Repeating it (a retried job) changes nothing: the queue step only moves a task the campaign still
 * holds, and the chain appends are keyed by the run id.
 */
@Component
public class FinalizeQueueDelegate implements JavaDelegate {

  private final CampaignSupport support;

  FinalizeQueueDelegate(CampaignSupport support) {
    this.support = support;
  }

  @Override
  public void execute(DelegateExecution ex) {
    CampaignLoop loop = support.loopWithoutPacks(ex);
    CampaignLoop.Finalized f =
        loop.finalizeCycle(
            CampaignSupport.owner(ex),
            ex.getProcessInstanceId(),
            CampaignSupport.taskKey(ex),
            CampaignSupport.runId(ex),
            EngineVariables.string(ex, CampaignVars.CYCLE_OUTCOME, "failed"),
            EngineVariables.string(ex, CampaignVars.CYCLE_QA_VERDICT, null),
            EngineVariables.string(ex, CampaignVars.CYCLE_QA_REASON_CODE, null),
            EngineVariables.integer(ex, CampaignVars.CYCLE_REWORK_ROUNDS, 0),
            EngineVariables.string(ex, CampaignVars.CYCLE_DISPATCH_OUTCOME, null),
            support.loggers().logger(loop.spec().projectId()));
    EngineVariables.setIfChanged(ex, CampaignVars.LAST_CYCLE_RESULT, f.outcome().json());
    CampaignSupport.setCounts(ex, f.counts());
    ChainAnchors.anchor(ex, f.lastEvent());
  }
}
