package dev.aiflow.engine.campaign;

import dev.aiflow.engine.EngineVariables;
import dev.aiflow.engine.SessionRecorder;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * {@code Task_RecordCancelRequest} in {@code SubProcess_Cancel}: sets {@code cancelRequested} on
 * the campaign (the running cycle goes on; {@code Gateway_WayOut} ends it) and logs who asked.
 */
@Component
public class RecordCancelRequestDelegate implements JavaDelegate {

  private final SessionRecorder session;

  RecordCancelRequestDelegate(SessionRecorder session) {
    this.session = session;
  }

  @Override
  public void execute(DelegateExecution ex) {
    var auth = ex.getProcessEngineServices().getIdentityService().getCurrentAuthentication();
    String by = auth == null || auth.getUserId() == null ? "system" : auth.getUserId();
    // the variable lives on the process instance: a write here would otherwise stay local
    ex.getProcessInstance().setVariable(CampaignVars.CANCEL_REQUESTED, true);
    ex.getProcessInstance().setVariable(CampaignVars.CANCEL_REQUESTED_BY, by);
    session.record(
        ex,
        "cancel_requested",
        null,
        Map.of(
            "requested_by",
            by,
            "cycles_done",
            EngineVariables.integer(ex, CampaignVars.CYCLES_DONE, 0)));
  }
}
