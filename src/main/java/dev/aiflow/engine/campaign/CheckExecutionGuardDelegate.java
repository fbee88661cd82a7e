package dev.aiflow.engine.campaign;

import dev.aiflow.campaign.CampaignSpec;
import dev.aiflow.campaign.ExecutionGuard;
import dev.aiflow.engine.ChainAnchors;
import dev.aiflow.engine.EngineVariables;
import dev.aiflow.engine.SessionRecorder;
import dev.aiflow.negotiation.FreezeStore;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * {@code Task_CheckExecutionGuard}: the rule is {@link ExecutionGuard}; a refusal is BPMN error
 * {@value #EXECUTION_BLOCKED}. Either way the decision goes into the chain and the session log; the
 * snapshot paths and the requirements' SHA-256 go to the step cycles.
 */
@Component
public class CheckExecutionGuardDelegate implements JavaDelegate {

  public static final String EXECUTION_BLOCKED = "EXECUTION_BLOCKED";

  private final CampaignSupport support;
  private final SessionRecorder session;

  CheckExecutionGuardDelegate(CampaignSupport support, SessionRecorder session) {
    this.support = support;
    this.session = session;
  }

  @Override
  public void execute(DelegateExecution ex) {
    CampaignSpec spec = support.spec(ex, false);
    FreezeStore store = new FreezeStore(support.requirementsDir(spec));
    var status = store.status();
    ExecutionGuard.Decision d =
        ExecutionGuard.decide(
            ex.getProcessInstanceId(),
            // who asked: the signed-in caller the engine recorded at the start (camunda:initiator)
            EngineVariables.string(ex, CampaignVars.STARTED_BY, "system"),
            spec.safeguards(),
            support.properties().freeze().requiredFor(spec.projectId()),
            status,
            store.projectDir().toString());
    ChainAnchors.anchor(
        ex, support.loggers().logger(spec.projectId()).logProjectEvent(d.eventType(), d.fields()));
    session.record(ex, d.eventType(), null, d.fields());
    if (d.blocked()) {
      ex.setVariable(CampaignVars.FREEZE_PROBLEM, d.code());
      ex.setVariable(CampaignVars.END_DETAIL, d.detail());
      throw new BpmnError(EXECUTION_BLOCKED, status.message());
    }
    if (status.approved()) {
      ex.setVariable(CampaignVars.REQUIREMENTS_SHA256, status.meta().sha256());
    }
    boolean required = support.properties().freeze().requiredFor(spec.projectId());
    // a required freeze's snapshots are the project's own, never ones the start named
    if (spec.safeguards().guardContracts()
        && (required || ex.getVariable(CampaignVars.PLAN_SNAPSHOT_PATH) == null)) {
      ex.setVariable(CampaignVars.PLAN_SNAPSHOT_PATH, store.planFile().toString());
      ex.setVariable(CampaignVars.BOUNDARY_SNAPSHOT_PATH, store.boundaryFile().toString());
    }
  }
}
