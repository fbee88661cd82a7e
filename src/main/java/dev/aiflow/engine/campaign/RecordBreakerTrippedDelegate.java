package dev.aiflow.engine.campaign;

import dev.aiflow.engine.ChainAnchors;
import dev.aiflow.engine.EngineVariables;
import dev.aiflow.engine.SessionRecorder;
import java.util.LinkedHashMap;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/** {@code Task_RecordBreakerTripped}: {@code breaker_tripped} in the chain and the session log. */
@Component
public class RecordBreakerTrippedDelegate implements JavaDelegate {

  private final CampaignSupport support;
  private final SessionRecorder session;

  RecordBreakerTrippedDelegate(CampaignSupport support, SessionRecorder session) {
    this.support = support;
    this.session = session;
  }

  @Override
  public void execute(DelegateExecution ex) {
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("campaign_id", ex.getProcessInstanceId());
    fields.put("backend_outcome", EngineVariables.string(ex, CampaignVars.BREAKER_OUTCOME, null));
    fields.put("tasks_in_a_row", EngineVariables.integer(ex, CampaignVars.BREAKER_STREAK, 0));
    fields.put("cycles_done", EngineVariables.integer(ex, CampaignVars.CYCLES_DONE, 0));
    String project = EngineVariables.string(ex, CampaignVars.PROJECT_ID, "default");
    ChainAnchors.anchor(
        ex, support.loggers().logger(project).logProjectEvent("breaker_tripped", fields));
    session.record(ex, "breaker_tripped", null, fields);
  }
}
