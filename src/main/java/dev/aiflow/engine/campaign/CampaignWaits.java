package dev.aiflow.engine.campaign;

import dev.aiflow.engine.stepcycle.StepCycleVars;
import java.util.ArrayList;
import java.util.List;
import org.camunda.bpm.engine.ExternalTaskService;
import org.camunda.bpm.engine.ManagementService;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.runtime.ProcessInstance;
import org.camunda.bpm.engine.task.Task;
import org.springframework.stereotype.Component;

/**
 * Whether a running campaign can only go on once people decide: every step cycle it runs waits in a
 * user task (a rework escalation, a BLOCKED step), and nothing else of it can move (no job, timer
 * or external task). {@code aiflow demo} stops following the campaign then, instead of waiting.
 */
@Component
public class CampaignWaits {

  /**
   * One decision a campaign waits for.
   *
   * @param taskKey the queue task of the step cycle that waits
   * @param userTaskId the Tasklist task
   * @param name the user task's name
   */
  public record Decision(String taskKey, String userTaskId, String name) {}

  private final RuntimeService runtime;
  private final ManagementService management;
  private final ExternalTaskService external;
  private final TaskService tasks;

  CampaignWaits(
      RuntimeService runtime,
      ManagementService management,
      ExternalTaskService external,
      TaskService tasks) {
    this.runtime = runtime;
    this.management = management;
    this.external = external;
    this.tasks = tasks;
  }

  /** The decisions the campaign waits for when only people can move it on; else empty. */
  public List<Decision> onlyPeopleCanMoveOn(String campaignId) {
    if (management.createJobQuery().processInstanceId(campaignId).count() > 0) {
      return List.of();
    }
    List<ProcessInstance> cycles =
        runtime.createProcessInstanceQuery().superProcessInstanceId(campaignId).list();
    List<Decision> waiting = new ArrayList<>();
    for (ProcessInstance cycle : cycles) {
      String pi = cycle.getId();
      if (management.createJobQuery().processInstanceId(pi).count() > 0
          || external.createExternalTaskQuery().processInstanceId(pi).count() > 0) {
        return List.of();
      }
      List<Task> open = tasks.createTaskQuery().processInstanceId(pi).list();
      if (open.isEmpty()) {
        return List.of(); // between two steps
      }
      Object key = runtime.getVariable(pi, StepCycleVars.TASK_ID);
      for (Task t : open) {
        waiting.add(new Decision(String.valueOf(key), t.getId(), t.getName()));
      }
    }
    return List.copyOf(waiting);
  }
}
