package dev.aiflow.engine.stepcycle;

import dev.aiflow.engine.ChainAnchors;
import dev.aiflow.engine.EngineVariables;
import dev.aiflow.ids.Ids;
import dev.aiflow.logger.ChainEvent;
import dev.aiflow.logger.WorkflowLogger;
import dev.aiflow.transparency.Transparency;
import java.util.LinkedHashMap;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.springframework.stereotype.Component;

/**
 * How every way out of a step cycle is recorded: the {@code outcome} variable, {@code
 * cycle_finished} in the session log, the task closed in the chain (or a {@code cycle_finished}
 * event when a campaign will decide), the anchor in history, and a signed checkpoint of the project
 * chain covering all of it (docs/chain-format.md).
 */
@Component
class CycleFinisher {

  private final StepCycleSupport support;
  private final Transparency transparency;

  CycleFinisher(StepCycleSupport support, Transparency transparency) {
    this.support = support;
    this.transparency = transparency;
  }

  void finish(DelegateExecution ex, String outcome, String status) {
    ex.setVariable(StepCycleVars.OUTCOME, outcome);
    String projectId = support.projectId(ex);
    if (!Ids.isValid(projectId)) {
      return; // no project to log in: the intake findings are the record
    }
    support.session(ex, "cycle_finished", Map.of("outcome", outcome));
    Object taskId = taskId(ex);
    if (taskId == null || !Ids.isValid(taskId.toString())) {
      return; // a pack so broken it names no task: the outcome variable is the record
    }
    WorkflowLogger log = support.logger(ex);
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("outcome", outcome);
    fields.put("process_instance_id", ex.getProcessInstanceId());
    fields.put("rework_rounds", EngineVariables.integer(ex, StepCycleVars.REWORK_ROUND, 0));
    putIfSet(fields, "qa_verdict", ex.getVariable(StepCycleVars.QA_VERDICT));
    putIfSet(fields, "qa_reason_code", ex.getVariable(StepCycleVars.QA_REASON_CODE));
    putIfSet(fields, "rework_stop", ex.getVariable(StepCycleVars.REWORK_STOP));
    putIfSet(fields, "intake_findings", EngineVariables.json(ex, StepCycleVars.INTAKE_FINDINGS));
    putIfSet(fields, "guard_findings", EngineVariables.json(ex, StepCycleVars.GUARD_FINDINGS));
    putIfSet(fields, "rollback", ex.getVariable(StepCycleVars.ROLLBACK_SUMMARY));
    putIfSet(fields, "requirements_sha256", ex.getVariable(StepCycleVars.REQUIREMENTS_SHA256));
    if (Boolean.TRUE.equals(ex.getVariable(StepCycleVars.ACCEPTED_BY_OVERRIDE))) {
      fields.put("accepted_by_override", true);
      putIfSet(fields, "override_by", ex.getVariable(StepCycleVars.ESCALATION_DECIDED_BY));
      putIfSet(fields, "override_reason", ex.getVariable(StepCycleVars.ESCALATION_REASON));
    }
    String key = ex.getProcessInstanceId();
    if (log.task(taskId.toString()).closed()) {
      return; // a task rejected because it was already closed
    }
    ChainEvent last;
    if (EngineVariables.bool(ex, StepCycleVars.CLOSE_TASK_ON_FINISH, true)) {
      last =
          log.closeTask(taskId.toString(), status, "step cycle " + outcome, fields, "close:" + key);
      ex.setVariable(StepCycleVars.CLOSE_EVENT_HASH, last.eventHash());
    } else {
      last = log.logTaskEvent(taskId.toString(), "cycle_finished", fields, "finished:" + key);
    }
    ChainAnchors.anchor(ex, last);
    // outsiders holding the verifier key can now check this cycle's events offline
    transparency.issue(projectId);
  }

  private Object taskId(DelegateExecution ex) {
    Object id = ex.getVariable(StepCycleVars.TASK_ID);
    if (id != null) {
      return id;
    }
    try {
      return support.stepPack(ex).taskId();
    } catch (RuntimeException e) {
      return null; // no usable pack: nothing names the task
    }
  }

  private static void putIfSet(Map<String, Object> fields, String name, Object value) {
    if (value != null) {
      fields.put(name, value.toString());
    }
  }
}
