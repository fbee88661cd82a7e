package dev.aiflow.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.config.AiflowProperties;
import dev.aiflow.engine.LoggerRegistry;
import dev.aiflow.engine.audit.HistoryReconciler;
import dev.aiflow.engine.audit.ReconcileReport;
import dev.aiflow.engine.security.ApiAccess;
import dev.aiflow.ids.Ids;
import dev.aiflow.logger.ChainEvent;
import dev.aiflow.logger.VerificationReport;
import dev.aiflow.logger.WorkflowLogger;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** A project's audit: its chain against the engine's history. */
@RestController
@RequestMapping("/api/projects")
@Tag(name = "projects", description = "Workflow logs and their audit")
public class ProjectController {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HistoryReconciler reconciler;
  private final AiflowProperties properties;
  private final LoggerRegistry loggers;
  private final ApiAccess access;

  public ProjectController(
      HistoryReconciler reconciler,
      AiflowProperties properties,
      LoggerRegistry loggers,
      ApiAccess access) {
    this.reconciler = reconciler;
    this.properties = properties;
    this.loggers = loggers;
    this.access = access;
  }

  @GetMapping("/{projectId}/reconcile")
  @Operation(summary = "Compare the hash chain with Camunda's history; clean runs report zero")
  public ReconcileReport reconcile(@PathVariable String projectId) {
    requireProject(projectId);
    loggers.refresh(projectId); // a PostgreSQL chain: what other nodes appended, too
    return reconciler.reconcile(projectId);
  }

  @GetMapping("/{projectId}/tasks/{taskId}/events")
  @Operation(summary = "A task's events from the hash chain, in order (the JSONL lines as JSON)")
  public List<JsonNode> events(@PathVariable String projectId, @PathVariable String taskId)
      throws java.io.IOException {
    WorkflowLogger log = requireTask(projectId, taskId);
    List<JsonNode> out = new java.util.ArrayList<>();
    for (ChainEvent e : log.taskEvents(taskId)) {
      out.add(JSON.readTree(e.json()));
    }
    return out;
  }

  /** A verification: {@code ok} and the report. */
  public record Verification(boolean ok, VerificationReport report) {}

  @GetMapping("/{projectId}/tasks/{taskId}/verify")
  @Operation(summary = "Verify a task's chain: hashes, links, the mirror against the project chain")
  public Verification verify(@PathVariable String projectId, @PathVariable String taskId) {
    VerificationReport r = requireTask(projectId, taskId).verifyTask(taskId, null);
    return new Verification(r.ok(), r);
  }

  private WorkflowLogger requireTask(String projectId, String taskId) {
    if (!Ids.isValid(taskId)) {
      throw new ProblemHandler.BadRequest("taskId", "not a valid task id: use " + Ids.RULE);
    }
    requireProject(projectId);
    WorkflowLogger log = loggers.logger(projectId);
    if (!log.taskIds().contains(taskId)) {
      throw new ProblemHandler.NotFound("project '" + projectId + "' has no task '" + taskId + "'");
    }
    return log;
  }

  void requireProject(String projectId) {
    access.require(ApiAccess.Action.READ_AUDIT);
    CampaignController.safe(projectId);
    if (!loggers.exists(projectId)) {
      throw new ProblemHandler.NotFound("no workflow log for project '" + projectId + "'");
    }
  }
}
