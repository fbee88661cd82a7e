package dev.aiflow.engine.stepcycle;

import dev.aiflow.qa.Escalation;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.springframework.stereotype.Component;

/**
 * On completing {@code UserTask_DecideEscalation}: who decided (the signed-in user, else the
 * assignee) becomes {@code escalationDecidedBy}, and a decision that does not count (no reason, no
 * one, rounds out of range) refuses the completion with a message Tasklist shows.
 */
@Component
public class EscalationListener implements TaskListener {

  @Override
  public void notify(DelegateTask task) {
    var auth = task.getProcessEngineServices().getIdentityService().getCurrentAuthentication();
    String actor = auth != null && auth.getUserId() != null ? auth.getUserId() : task.getAssignee();
    Object choice = task.getVariable(StepCycleVars.ESCALATION_DECISION);
    Escalation.Decision d =
        Escalation.decide(
            choice == null ? null : choice.toString(),
            task.getVariable(StepCycleVars.ESCALATION_ROUNDS),
            (String) task.getVariable(StepCycleVars.ESCALATION_REASON),
            actor);
    task.getExecution().setVariable(StepCycleVars.ESCALATION_DECIDED_BY, d.actor());
    task.getProcessEngineServices()
        .getTaskService()
        .createComment(
            task.getId(),
            task.getProcessInstanceId(),
            d.choice().json() + " by " + d.actor() + ": " + d.reason());
  }
}
