package dev.aiflow.engine.requirements;

import dev.aiflow.config.AiflowProperties;
import dev.aiflow.engine.EngineVariables;
import dev.aiflow.engine.LoggerRegistry;
import dev.aiflow.engine.SessionRecorder;
import dev.aiflow.engine.stepcycle.StepCycleVars;
import dev.aiflow.negotiation.FreezeException;
import dev.aiflow.negotiation.FreezeStore;
import dev.aiflow.negotiation.RequirementsFormatException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * {@code Task_FreezeRequirements}: the approved draft (still the hash that was approved) becomes
 * the next frozen version; BPMN error {@value #FREEZE_REFUSED} when it cannot freeze, which sends
 * it back for a new draft with the reason.
 */
@Component("freezeRequirementsDelegate")
class FreezeRequirementsDelegate implements JavaDelegate {

  static final String FREEZE_REFUSED = "FREEZE_REFUSED";

  private final AiflowProperties properties;
  private final LoggerRegistry loggers;
  private final SessionRecorder session;

  FreezeRequirementsDelegate(
      AiflowProperties properties, LoggerRegistry loggers, SessionRecorder session) {
    this.properties = properties;
    this.loggers = loggers;
    this.session = session;
  }

  @Override
  public void execute(DelegateExecution ex) {
    FreezeStore.Frozen f;
    try {
      f =
          RequirementsSupport.store(properties, ex)
              .freeze(
                  EngineVariables.string(ex, RequirementsVars.APPROVER, null),
                  EngineVariables.string(ex, RequirementsVars.APPROVAL_COMMENT, null),
                  EngineVariables.string(ex, RequirementsVars.DRAFT_SHA256, null),
                  Instant.now());
    } catch (RequirementsFormatException e) {
      ex.setVariable(RequirementsVars.FREEZE_REFUSAL, RequirementsSupport.summary(e.findings()));
      throw new BpmnError(FREEZE_REFUSED, e.getMessage());
    } catch (FreezeException e) {
      ex.setVariable(RequirementsVars.FREEZE_REFUSAL, e.getMessage());
      throw new BpmnError(FREEZE_REFUSED, e.getMessage());
    }
    ex.setVariable(RequirementsVars.REQUIREMENTS_VERSION, f.meta().version());
    ex.setVariable(RequirementsVars.REQUIREMENTS_SHA256, f.meta().sha256());
    ex.setVariable(RequirementsVars.FROZEN_PATH, f.versionFile().toString());
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("version", f.meta().version());
    d.put("sha256", f.meta().sha256());
    d.put("approver", f.meta().approver());
    d.put("tasks", f.meta().taskCount());
    d.put("process_instance_id", ex.getProcessInstanceId());
    loggers
        .logger(EngineVariables.string(ex, StepCycleVars.PROJECT_ID, "default"))
        .logProjectEvent("requirements_frozen", d);
    session.record(ex, "requirements_frozen", null, d);
  }
}
