package dev.aiflow.engine.campaign;

import dev.aiflow.campaign.CircuitBreaker;
import dev.aiflow.engine.ChainAnchors;
import dev.aiflow.engine.EngineVariables;
import dev.aiflow.engine.SessionRecorder;
import java.util.LinkedHashMap;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * {@code Task_RecordBreakerDecision}: {@code breaker_decided} (who, why, what) in the chain and the
 * session log; a resume closes the breaker, so the next streak starts from zero.
 */
@Component
public class RecordBreakerDecisionDelegate implements JavaDelegate {

  private final CampaignSupport support;
  private final SessionRecorder session;

  RecordBreakerDecisionDelegate(CampaignSupport support, SessionRecorder session) {
    this.support = support;
    this.session = session;
  }

  @Override
  public void execute(DelegateExecution ex) {
    String decision = EngineVariables.string(ex, CampaignVars.BREAKER_DECISION, null);
    if (!"resume".equals(decision) && !"stop".equals(decision)) {
      // the form offers only these two; anything else came from a hand-made completion
      throw new IllegalArgumentException("breakerDecision must be resume or stop: " + decision);
    }
    var auth = ex.getProcessEngineServices().getIdentityService().getCurrentAuthentication();
    String by = auth == null || auth.getUserId() == null ? "system" : auth.getUserId();
    ex.setVariable(CampaignVars.BREAKER_DECIDED_BY, by);
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("campaign_id", ex.getProcessInstanceId());
    fields.put("decision", decision);
    fields.put("decided_by", by);
    fields.put("reason", EngineVariables.string(ex, CampaignVars.BREAKER_REASON, ""));
    fields.put("backend_outcome", EngineVariables.string(ex, CampaignVars.BREAKER_OUTCOME, null));
    fields.put("cycles_done", EngineVariables.integer(ex, CampaignVars.CYCLES_DONE, 0));
    String project = EngineVariables.string(ex, CampaignVars.PROJECT_ID, "default");
    ChainAnchors.anchor(
        ex, support.loggers().logger(project).logProjectEvent("breaker_decided", fields));
    session.record(ex, "breaker_decided", null, fields);
    if ("stop".equals(decision)) {
      // every lane stops at its next way out; the campaign ends as breaker_stopped
      ex.setVariable(CampaignVars.BREAKER_STOPPED, true);
    }
    if ("resume".equals(decision)) {
      CampaignSupport.setBreaker(ex, CircuitBreaker.CLOSED);
      ex.setVariable(CampaignVars.BREAKER_TRIPPED, false);
    }
  }
}
