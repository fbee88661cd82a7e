package dev.aiflow.engine.campaign;

import dev.aiflow.engine.EngineVariables;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** {@code Task_RecordPreflightFailure}: what failed, for {@code endDetail}. */
@Component
public class RecordPreflightFailureDelegate implements JavaDelegate {

  @Override
  public void execute(DelegateExecution ex) {
    ex.setVariable(
        CampaignVars.END_DETAIL,
        "backend preflight failed: " + EngineVariables.json(ex, CampaignVars.PREFLIGHT_PROBLEMS));
  }
}
