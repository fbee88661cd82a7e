package dev.aiflow.engine.requirements;

import dev.aiflow.config.AiflowProperties;
import dev.aiflow.engine.EngineVariables;
import dev.aiflow.negotiation.FreezeStatus;
import dev.aiflow.negotiation.FreezeStore;
import dev.aiflow.negotiation.LaunchSeal;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.camunda.bpm.engine.RuntimeService;
import org.camunda.bpm.engine.TaskService;
import org.springframework.stereotype.Component;

/** Starts requirements-freeze.bpmn and reports a project's freeze (docs/requirements.md). */
@Component
public class RequirementsService {

  public static final String PROCESS_KEY = "requirementsFreeze";

  private final RuntimeService runtime;
  private final TaskService tasks;
  private final AiflowProperties properties;

  public RequirementsService(
      RuntimeService runtime,
      TaskService tasks,
      AiflowProperties properties,
      org.camunda.bpm.engine.IdentityService identity) {
    this.runtime = runtime;
    this.tasks = tasks;
    this.properties = properties;
    this.identity = identity;
  }

  private final org.camunda.bpm.engine.IdentityService identity;

  /**
   * What to draft from and with what.
   *
   * @param controllerCommand the name of a command in {@code aiflow.controller.commands}
   * @param campaignVariables campaign variables (JSON object) to start a campaign after the freeze,
   *     or null
   */
  public record FreezeRequest(
      String projectId,
      String dialogue,
      String controllerBackend,
      String controllerModel,
      String controllerCommand,
      String campaignVariables) {}

  /** Starts the workflow; it waits at "Approve requirements" once the draft is written. */
  public String start(FreezeRequest r) {
    if (r.dialogue() == null || r.dialogue().isBlank()) {
      throw new IllegalArgumentException("dialogue: required");
    }
    Map<String, Object> v = new HashMap<>();
    v.put(RequirementsVars.PROJECT_ID, r.projectId());
    v.put(
        RequirementsVars.CONTROLLER_BACKEND,
        r.controllerBackend() == null ? "heuristic" : r.controllerBackend());
    if (r.controllerModel() != null) {
      v.put(RequirementsVars.CONTROLLER_MODEL, r.controllerModel());
    }
    if (r.controllerCommand() != null) {
      v.put(RequirementsVars.CONTROLLER_COMMAND, r.controllerCommand());
    }
    // a long dialogue does not fit a String variable (4,000 characters): it goes to a file
    java.nio.file.Path file =
        new FreezeStore(properties.projectDir(r.projectId()))
            .inputDir()
            .resolve("dialogue-" + System.currentTimeMillis() + ".txt");
    dev.aiflow.files.AtomicFile.write(
        file, r.dialogue().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    v.put(RequirementsVars.DIALOGUE_PATH, file.toString());
    String campaign = LaunchRequest.canonical(r.campaignVariables());
    if (campaign != null) {
      v.put(RequirementsVars.START_CAMPAIGN, true);
      v.put(RequirementsVars.CAMPAIGN_VARIABLES, EngineVariables.jsonValue(campaign));
    }
    // what the approval may launch is sealed now: a Tasklist completion can set any variable
    var caller = identity.getCurrentAuthentication();
    v.put(
        RequirementsVars.LAUNCH_SEAL,
        LaunchSeal.forDataDir(properties.dataDir())
            .seal(
                r.projectId(),
                caller == null ? null : caller.getUserId(),
                campaign != null,
                campaign));
    return runtime
        .startProcessInstanceByKey(PROCESS_KEY, "requirements-" + r.projectId(), v)
        .getId();
  }

  /** A project's freeze and the approvals waiting in Tasklist. */
  public record FreezeView(FreezeStatus status, List<String> pendingApprovalTaskIds) {}

  public FreezeView view(String projectId) {
    FreezeStatus s = new FreezeStore(properties.projectDir(projectId)).status();
    List<String> pending =
        tasks
            .createTaskQuery()
            .processDefinitionKey(PROCESS_KEY)
            .processVariableValueEquals(RequirementsVars.PROJECT_ID, projectId)
            .taskDefinitionKey("UserTask_ApproveRequirements")
            .list()
            .stream()
            .map(t -> t.getId())
            .toList();
    return new FreezeView(s, pending);
  }
}
