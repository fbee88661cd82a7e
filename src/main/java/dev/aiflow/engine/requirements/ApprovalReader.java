package dev.aiflow.engine.requirements;

import dev.aiflow.config.AiflowProperties;
import dev.aiflow.negotiation.ApprovalView;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.task.Task;
import org.springframework.stereotype.Component;

/**
 * What the "Approve requirements" form shows ({@code processes/forms/approve-requirements.html}):
 * the draft of the task's project, read from the project's folder as the freeze will read it. The
 * task and its variables are read as the signed-in user, so the engine's authorizations decide: a
 * task they may not read is, to them, one that does not exist.
 */
@Component
public class ApprovalReader {

  /** The user task whose form this serves. */
  public static final String APPROVAL_TASK = "UserTask_ApproveRequirements";

  private final TaskService tasks;
  private final AiflowProperties properties;

  public ApprovalReader(TaskService tasks, AiflowProperties properties) {
    this.tasks = tasks;
    this.properties = properties;
  }

  /** The project and the draft put up for approval by an open approval task. */
  public record Approval(
      String taskId, String processInstanceId, String projectId, ApprovalView view) {}

  /**
   * The approval of task {@code taskId}; empty when there is no such open approval task that the
   * current user may read.
   *
   * @throws dev.aiflow.negotiation.FreezeException {@code DRAFT_MISSING} when its draft is gone
   * @throws dev.aiflow.files.PathRefusedException when a file is not one aiflow may read
   */
  public Optional<Approval> forTask(String taskId) {
    Task task =
        tasks
            .createTaskQuery()
            .taskId(taskId)
            .processDefinitionKey(RequirementsService.PROCESS_KEY)
            .taskDefinitionKey(APPROVAL_TASK)
            .singleResult();
    if (task == null) {
      return Optional.empty();
    }
    Map<String, Object> v =
        tasks.getVariables(
            taskId,
            List.of(
                RequirementsVars.PROJECT_ID,
                RequirementsVars.REQUIREMENTS_DIR,
                RequirementsVars.DRAFT_SHA256));
    String projectId = (String) v.get(RequirementsVars.PROJECT_ID);
    ApprovalView view =
        ApprovalView.read(
            RequirementsSupport.store(
                properties, (String) v.get(RequirementsVars.REQUIREMENTS_DIR), projectId),
            (String) v.get(RequirementsVars.DRAFT_SHA256));
    return Optional.of(new Approval(taskId, task.getProcessInstanceId(), projectId, view));
  }
}
