package dev.aiflow.engine.requirements;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.config.AiflowProperties;
import dev.aiflow.engine.EngineVariables;
import dev.aiflow.engine.LoggerRegistry;
import dev.aiflow.engine.SessionRecorder;
import dev.aiflow.engine.campaign.CampaignService;
import dev.aiflow.engine.campaign.CampaignSupport;
import dev.aiflow.engine.campaign.CampaignVars;
import dev.aiflow.engine.stepcycle.StepCycleVars;
import dev.aiflow.negotiation.DraftException;
import dev.aiflow.negotiation.Drafter;
import dev.aiflow.negotiation.Drafters;
import dev.aiflow.negotiation.FreezeException;
import dev.aiflow.negotiation.FreezeStore;
import dev.aiflow.negotiation.Negotiation;
import dev.aiflow.negotiation.RequirementsFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.camunda.bpm.engine.delegate.BpmnError;
import org.camunda.bpm.engine.delegate.DelegateExecution;
import org.camunda.bpm.engine.delegate.JavaDelegate;
import org.camunda.bpm.engine.delegate.TaskListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The steps of {@code requirements-freeze.bpmn}: draft, the approval listener, rejection, freeze,
 * launch. The rules live in {@code dev.aiflow.negotiation}.
 */
@Configuration(proxyBeanMethods = false)
public class FreezeDelegates {

  public static final String FREEZE_REFUSED = "FREEZE_REFUSED";
  private static final ObjectMapper JSON = new ObjectMapper();

  /** {@code Task_DraftRequirements}: the dialogue plus every rejection comment, drafted. */
  @Bean
  JavaDelegate draftRequirementsDelegate(AiflowProperties properties, SessionRecorder session) {
    return ex -> {
      try {
        draft(properties, session, ex);
      } catch (IllegalArgumentException e) {
        // bad variables (also over /engine-rest): EndEvent_InvalidInput, never a 500
        String field =
            e instanceof dev.aiflow.files.PathRefusedException p
                ? p.field() + ": "
                : e instanceof dev.aiflow.ids.Ids.InvalidIdException i ? i.kind() + ": " : "";
        throw new org.camunda.bpm.engine.delegate.BpmnError(
            "INVALID_INPUT", field + e.getMessage());
      }
    };
  }

  private static void draft(
      AiflowProperties properties, SessionRecorder session, DelegateExecution ex) {
    FreezeStore store = store(properties, ex);
    int round = EngineVariables.integer(ex, RequirementsVars.DRAFT_ROUND, 0) + 1;
    String backend = EngineVariables.string(ex, RequirementsVars.CONTROLLER_BACKEND, "heuristic");
    String model = EngineVariables.string(ex, RequirementsVars.CONTROLLER_MODEL, null);
    String commandName = EngineVariables.string(ex, RequirementsVars.CONTROLLER_COMMAND, null);
    String commandLine = null;
    if ("command".equals(backend)) {
      commandLine = properties.controller().commands().get(String.valueOf(commandName));
      if (commandLine == null) {
        throw new IllegalArgumentException(
            "controllerCommand '"
                + commandName
                + "' is not one of the server's aiflow.controller.commands "
                + properties.controller().commands().keySet());
      }
    }
    Drafter drafter =
        Drafters.create(
            backend,
            model,
            commandLine,
            store.inputDir().resolve("controller-runs").resolve("round-" + round));
    Negotiation.Drafted d;
    try {
      d =
          Negotiation.draft(
              drafter, dialogue(properties, ex), store, model, commandName, Instant.now());
    } catch (DraftException e) {
      throw new IllegalStateException(e.getMessage(), e); // an incident an operator can retry
    }
    ex.setVariable(RequirementsVars.DRAFT_ROUND, round);
    ex.setVariable(RequirementsVars.DRAFT_PATH, store.draftFile().toString());
    ex.setVariable(RequirementsVars.DRAFT_SHA256, d.sha256());
    EngineVariables.setJson(
        ex,
        RequirementsVars.DRAFT_FINDINGS,
        CampaignSupport.toJson(d.findings().stream().map(Object::toString).toList()));
    ex.setVariable(
        RequirementsVars.DRAFT_FINDINGS_SUMMARY,
        d.findings().isEmpty()
            ? "yes: the draft is a complete task brief"
            : "no, " + d.findings().size() + " problem(s): " + summary(d.findings()));
    ex.setVariable(RequirementsVars.APPROVED, false);
    session.record(
        ex,
        "requirements_drafted",
        null,
        Map.of(
            "round", round,
            "backend", drafter.backend(),
            "draft_sha256", d.sha256(),
            "findings", d.findings().size()));
  }

  /**
   * The listener on completing {@code UserTask_ApproveRequirements}: who decided (the assignee,
   * else the signed-in user; nobody is refused), the comment as a Camunda task comment, and the
   * session log.
   */
  @Bean
  TaskListener approvalListener(SessionRecorder session) {
    return task -> {
      // who completes decides: the signed-in user (Tasklist, REST), else the assignee (an
      // embedded caller that completes on someone's behalf)
      var auth = task.getProcessEngineServices().getIdentityService().getCurrentAuthentication();
      String approver =
          auth != null && auth.getUserId() != null ? auth.getUserId() : task.getAssignee();
      if (approver == null) {
        throw new IllegalStateException(
            "claim the task before deciding: an approval must name its approver");
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
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("approver", approver);
      d.put("draft_sha256", String.valueOf(task.getVariable(RequirementsVars.DRAFT_SHA256)));
      d.put("comment", comment == null ? "" : comment);
      if (approved) {
        session.record(task.getExecution(), "requirements_approved", null, d);
      }
    };
  }

  /** {@code Task_RecordRejection}: the comment (or the freeze's refusal) joins the dialogue. */
  @Bean
  JavaDelegate recordRejectionDelegate(SessionRecorder session) {
    return ex -> {
      String refusal = EngineVariables.string(ex, RequirementsVars.FREEZE_REFUSAL, null);
      String comment = EngineVariables.string(ex, RequirementsVars.APPROVAL_COMMENT, null);
      List<String> notes = reviewNotes(ex);
      String note = refusal != null ? "The freeze refused the draft: " + refusal : comment;
      if (note != null && !note.isBlank()) {
        notes.add(note);
      }
      EngineVariables.setJson(ex, RequirementsVars.REVIEW_NOTES, CampaignSupport.toJson(notes));
      ex.removeVariable(RequirementsVars.FREEZE_REFUSAL);
      Map<String, Object> d = new LinkedHashMap<>();
      d.put("reviewer", EngineVariables.string(ex, RequirementsVars.APPROVER, "unknown"));
      d.put("comment", note == null ? "" : note);
      d.put("draft_sha256", EngineVariables.string(ex, RequirementsVars.DRAFT_SHA256, ""));
      session.record(ex, "requirements_rejected", null, d);
    };
  }

  /** {@code Task_FreezeRequirements}: BPMN error {@value #FREEZE_REFUSED} if it cannot freeze. */
  @Bean
  JavaDelegate freezeRequirementsDelegate(
      AiflowProperties properties, LoggerRegistry loggers, SessionRecorder session) {
    return ex -> {
      FreezeStore store = store(properties, ex);
      FreezeStore.Frozen f;
      try {
        f =
            store.freeze(
                EngineVariables.string(ex, RequirementsVars.APPROVER, null),
                EngineVariables.string(ex, RequirementsVars.APPROVAL_COMMENT, null),
                EngineVariables.string(ex, RequirementsVars.DRAFT_SHA256, null),
                Instant.now());
      } catch (RequirementsFormatException e) {
        ex.setVariable(RequirementsVars.FREEZE_REFUSAL, summary(e.findings()));
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
    };
  }

  /**
   * {@code Task_LaunchCampaign} (async): starts {@code campaign} with {@code campaignVariables},
   * the project, and the freeze required.
   */
  @Bean
  JavaDelegate launchCampaignDelegate(AiflowProperties properties) {
    return ex -> {
      Map<String, Object> vars = new HashMap<>();
      String json = EngineVariables.json(ex, RequirementsVars.CAMPAIGN_VARIABLES);
      if (json != null && !json.isBlank()) {
        JsonNode n = JSON.readTree(json);
        n.fields()
            .forEachRemaining(
                e ->
                    vars.put(
                        e.getKey(),
                        e.getValue().isContainerNode()
                            ? e.getValue().toString()
                            : JSON.convertValue(e.getValue(), Object.class)));
      }
      vars.put(
          CampaignVars.PROJECT_ID, EngineVariables.string(ex, StepCycleVars.PROJECT_ID, "default"));
      vars.put(CampaignVars.REQUIRE_FREEZE, true);
      vars.put(CampaignVars.REQUIREMENTS_DIR, store(properties, ex).projectDir().toString());
      String id =
          ex.getProcessEngineServices()
              .getRuntimeService()
              .startProcessInstanceByKey(CampaignService.PROCESS_KEY, vars)
              .getId();
      ex.setVariable(RequirementsVars.LAUNCHED_CAMPAIGN_ID, id);
    };
  }

  /** The largest dialogue read: 1 MiB (the API caps a dialogue at 256 KiB). */
  static final long MAX_DIALOGUE_BYTES = 1024 * 1024;

  static FreezeStore store(AiflowProperties properties, DelegateExecution ex) {
    String dir = EngineVariables.string(ex, RequirementsVars.REQUIREMENTS_DIR, null);
    if (dir != null) {
      return new FreezeStore(
          properties.pathPolicy().directory(RequirementsVars.REQUIREMENTS_DIR, dir));
    }
    return new FreezeStore(
        properties.projectDir(EngineVariables.string(ex, StepCycleVars.PROJECT_ID, "default")));
  }

  private static String dialogue(AiflowProperties properties, DelegateExecution ex) {
    StringBuilder sb = new StringBuilder();
    String inline = EngineVariables.string(ex, RequirementsVars.DIALOGUE, null);
    String path = EngineVariables.string(ex, RequirementsVars.DIALOGUE_PATH, null);
    if (inline != null) {
      sb.append(inline);
    } else if (path != null) {
      // only a dialogue file aiflow wrote itself (RequirementsService): the draft shows the
      // dialogue to approvers, so a variable must not make it show any other file
      Path real =
          properties
              .pathPolicy()
              .existingFile(RequirementsVars.DIALOGUE_PATH, path, MAX_DIALOGUE_BYTES);
      Path own = store(properties, ex).inputDir().toAbsolutePath().normalize();
      try {
        own = own.toRealPath();
      } catch (IOException e) {
        // no input folder: nothing in it to read
      }
      if (!real.getParent().equals(own)
          || !real.getFileName().toString().matches("dialogue-[0-9]+\\.txt")) {
        throw new dev.aiflow.files.PathRefusedException(
            RequirementsVars.DIALOGUE_PATH,
            "not a dialogue file of this project (input/dialogue-<n>.txt, written by aiflow)");
      }
      sb.append(
          new String(
              dev.aiflow.files.PathPolicy.readBounded(
                  RequirementsVars.DIALOGUE_PATH, path, real, MAX_DIALOGUE_BYTES),
              StandardCharsets.UTF_8));
    } else {
      throw new IllegalArgumentException("dialogue or dialoguePath is required");
    }
    for (String note : reviewNotes(ex)) {
      sb.append("\nreviewer: ").append(note);
    }
    return sb.toString();
  }

  private static List<String> reviewNotes(DelegateExecution ex) {
    List<String> out = new ArrayList<>();
    String json = EngineVariables.json(ex, RequirementsVars.REVIEW_NOTES);
    if (json != null) {
      try {
        JSON.readTree(json).forEach(n -> out.add(n.asText()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return out;
  }

  private static String summary(List<RequirementsFormatException.Finding> findings) {
    return findings.stream().limit(5).map(Object::toString).collect(Collectors.joining("; "))
        + (findings.size() > 5 ? "; ..." : "");
  }
}
