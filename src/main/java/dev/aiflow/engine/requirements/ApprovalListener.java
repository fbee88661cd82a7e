package dev.aiflow.engine.requirements;

import dev.aiflow.engine.SessionRecorder;
import java.util.LinkedHashMap;
import java.util.Map;
import org.camunda.bpm.engine.delegate.DelegateTask;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.springframework.stereotype.Component;

/**
 * On completing {@code UserTask_ApproveRequirements}: who decided (the signed-in user in Tasklist
 * or REST, else the assignee of an embedded caller that completes on someone's behalf; nobody is
 * refused), the decision and comment as a Camunda task comment, and the session log.
 */
@Component("approvalListener")
class ApprovalListener implements TaskListener {

  private final SessionRecorder session;

  ApprovalListener(SessionRecorder session) {
    this.session = session;
  }

  @Override
  public void notify(DelegateTask task) {
    var auth = task.getProcessEngineServices().getIdentityService().getCurrentAuthentication();
    String approver =
        auth != null && auth.getUserId() != null ? auth.getUserId() : task.getAssignee();
    if (approver == null) {
      throw new IllegalStateException(
          "claim the task before deciding: an approval must name its approver");
    }
    if (auth != null && auth.getUserId() != null && !mayDecide(task, auth.getGroupIds())) {
      // a grant an administrator added by mistake (TASK_WORK to operators) does not make anyone
      // an approver: the task's candidate groups do
      throw new org.camunda.bpm.engine.AuthorizationException(
          auth.getUserId() + " may not decide an approval: not in its candidate groups");
    }
    boolean approved = Boolean.TRUE.equals(task.getVariable(RequirementsVars.APPROVED));
    String comment = (String) task.getVariable(RequirementsVars.APPROVAL_COMMENT);
    task.getExecution().setVariable(RequirementsVars.APPROVER, approver);
    task.getProcessEngineServices()
        .getTaskService()
        .createComment(
            task.getId(),
            task.getProcessInstanceId(),
            (approved ? "approved" : "rejected")
                + " by "
                + approver
                + (comment == null || comment.isBlank() ? "" : ": " + comment));
    if (approved) {
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("approver", approver);
      d.put("draft_sha256", String.valueOf(task.getVariable(RequirementsVars.DRAFT_SHA256)));
      d.put("comment", comment == null ? "" : comment);
      session.record(task.getExecution(), "requirements_approved", null, d);
    }
  }

  private static boolean mayDecide(DelegateTask task, java.util.List<String> groups) {
    if (groups == null) {
      return false;
    }
    if (groups.contains(org.camunda.bpm.engine.authorization.Groups.CAMUNDA_ADMIN)) {
      return true;
    }
    return task.getCandidates().stream()
        .map(org.camunda.bpm.engine.task.IdentityLink::getGroupId)
        .anyMatch(g -> g != null && groups.contains(g));
  }
}
