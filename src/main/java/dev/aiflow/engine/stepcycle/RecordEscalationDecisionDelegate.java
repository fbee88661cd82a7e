package dev.aiflow.engine.stepcycle;

import dev.aiflow.engine.ChainAnchors;
import dev.aiflow.engine.EngineVariables;
import dev.aiflow.logger.ChainEvent;
import dev.aiflow.qa.Escalation;
import java.util.LinkedHashMap;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.springframework.stereotype.Component;

/**
 * {@code Task_RecordEscalationDecision}: what the person decided in {@code
 * UserTask_DecideEscalation}, who they were and why, goes into the chain ({@code
 * escalation_decided}, covered by the next signed checkpoint) and the history; more rounds raise
 * {@code maxReworkRounds}, an acceptance is an override the task's close records.
 */
@Component
public class RecordEscalationDecisionDelegate implements JavaDelegate {

  private final StepCycleSupport support;

  public RecordEscalationDecisionDelegate(StepCycleSupport support) {
    this.support = support;
  }

  @Override
  public void execute(DelegateExecution ex) {
    Escalation.Decision d =
        Escalation.decide(
            EngineVariables.string(ex, StepCycleVars.ESCALATION_DECISION, null),
            ex.getVariable(StepCycleVars.ESCALATION_ROUNDS),
            EngineVariables.string(ex, StepCycleVars.ESCALATION_REASON, null),
            EngineVariables.string(ex, StepCycleVars.ESCALATION_DECIDED_BY, null));
    ex.setVariable(StepCycleVars.ESCALATION_DECISION, d.choice().json());
    if (d.choice() == Escalation.Choice.MORE_ROUNDS) {
      ex.setVariable(
          StepCycleVars.MAX_REWORK_ROUNDS,
          EngineVariables.integer(ex, StepCycleVars.REWORK_ROUND, 0) + d.rounds());
      // a person granted rounds: the rework may run although the last one repeated itself
      ex.setVariable(StepCycleVars.REWORK_CONVERGING, true);
      ex.setVariable(StepCycleVars.TASK_BUDGET_LEFT, true);
    }
    if (d.choice() == Escalation.Choice.ACCEPT) {
      ex.setVariable(StepCycleVars.ACCEPTED_BY_OVERRIDE, true);
    }
    String taskId = support.stepPack(ex).taskId();
    Map<String, Object> fields = new LinkedHashMap<>();
    fields.put("decision", d.choice().json());
    fields.put("actor", d.actor());
    fields.put("reason", d.reason());
    if (d.choice() == Escalation.Choice.MORE_ROUNDS) {
      fields.put("rounds", d.rounds());
    }
    fields.put("cause", EngineVariables.string(ex, StepCycleVars.ESCALATION_CAUSE, ""));
    fields.put("qa_reason_code", EngineVariables.string(ex, StepCycleVars.QA_REASON_CODE, ""));
    fields.put("process_instance_id", ex.getProcessInstanceId());
    ChainEvent e =
        support
            .logger(ex)
            .logTaskEvent(
                taskId,
                "escalation_decided",
                fields,
                "escalation:" + ex.getProcessInstanceId() + ":" + ex.getActivityInstanceId());
    ChainAnchors.anchor(ex, e);
    support.session(ex, "escalation_decided", fields);
  }
}
