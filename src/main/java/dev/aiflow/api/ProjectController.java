package dev.aiflow.api;

import dev.aiflow.config.AiflowProperties;
import dev.aiflow.engine.HistoryReconciler;
import dev.aiflow.engine.ReconcileReport;
import dev.aiflow.logger.WorkflowLogger;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** A project's audit: its chain against the engine's history. */
@RestController
@RequestMapping("/api/projects")
@Tag(name = "projects", description = "Workflow logs and their audit")
public class ProjectController {

  private final HistoryReconciler reconciler;
  private final AiflowProperties properties;

  public ProjectController(HistoryReconciler reconciler, AiflowProperties properties) {
    this.reconciler = reconciler;
    this.properties = properties;
  }

  @GetMapping("/{projectId}/reconcile")
  @Operation(summary = "Compare the hash chain with Camunda's history; clean runs report zero")
  public ReconcileReport reconcile(@PathVariable String projectId) {
    requireProject(projectId);
    return reconciler.reconcile(projectId);
  }

  void requireProject(String projectId) {
    if (!WorkflowLogger.exists(properties.workflowRoot(), projectId)) {
      throw new ProblemHandler.NotFound("no workflow log for project '" + projectId + "'");
    }
  }
}
