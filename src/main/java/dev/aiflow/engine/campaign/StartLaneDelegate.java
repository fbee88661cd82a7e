package dev.aiflow.engine.campaign;

import dev.aiflow.campaign.CampaignLoop;
import java.util.List;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * {@code Task_StartLane}, first in each lane of {@code SubProcess_Lanes}: declares the cycle's
 * variables local to the lane, so no variable of one lane's cycle is visible to another, and the
 * lane's claim owner ({@code campaign:<id>#<lane>} when there is more than one lane).
 */
@Component
public class StartLaneDelegate implements JavaDelegate {

  /** What each lane keeps to itself. */
  static final List<String> LANE_LOCAL =
      List.of(
          CampaignVars.TASK_SELECTED,
          CampaignVars.OTHERS_BUSY,
          CampaignVars.CURRENT_TASK_KEY,
          CampaignVars.CURRENT_RUN_ID,
          CampaignVars.CURRENT_BACKEND,
          CampaignVars.CURRENT_ESCALATE_EXHAUSTED_REWORK,
          CampaignVars.CYCLE_STARTED_AT,
          CampaignVars.STEP_PACK_RESOLVED,
          CampaignVars.AUTO_PLANNED,
          CampaignVars.SET_ASIDE_REASON,
          CampaignVars.CYCLE_OUTCOME,
          CampaignVars.CYCLE_QA_VERDICT,
          CampaignVars.CYCLE_QA_REASON_CODE,
          CampaignVars.CYCLE_REWORK_ROUNDS,
          CampaignVars.CYCLE_DISPATCH_OUTCOME,
          CampaignVars.CYCLE_TOKENS,
          CampaignVars.CYCLE_COST_USD,
          CampaignVars.LAST_CYCLE_RESULT,
          CampaignVars.TASK_WORKSPACE,
          CampaignVars.TASK_BRANCH,
          CampaignVars.TASK_BASE_COMMIT,
          CampaignVars.INTEGRATION_STATUS,
          CampaignVars.INTEGRATION_FINDING);

  private final CampaignSupport support;

  StartLaneDelegate(CampaignSupport support) {
    this.support = support;
  }

  @Override
  public void execute(DelegateExecution ex) {
    Object counter = ex.getVariable("loopCounter");
    int lane = counter instanceof Number n ? n.intValue() + 1 : 1;
    ex.setVariableLocal(CampaignVars.LANE, lane);
    ex.setVariableLocal(
        CampaignVars.CLAIM_OWNER,
        CampaignLoop.laneOwner(support.spec(ex, false), ex.getProcessInstanceId(), lane));
    for (String name : LANE_LOCAL) {
      ex.setVariableLocal(name, null);
    }
  }
}
