package dev.aiflow.negotiation;

import java.util.List;

/**
 * A task brief as {@link RequirementsParser} reads it (docs/templates/task_brief.template.md).
 *
 * @param boundary the allowed paths of the whole brief: no task may reach outside them
 */
public record Requirements(
    String title,
    String goal,
    String context,
    List<String> boundary,
    List<String> outOfScope,
    List<PlannedTask> tasks,
    List<String> constraints,
    List<String> openQuestions) {

  public Requirements {
    boundary = List.copyOf(boundary);
    outOfScope = List.copyOf(outOfScope);
    tasks = List.copyOf(tasks);
    constraints = List.copyOf(constraints);
    openQuestions = List.copyOf(openQuestions);
  }

  /** One task of the brief: what a StepPack for it may touch and must prove. */
  public record PlannedTask(
      String key,
      String title,
      int priority,
      List<String> allowedPaths,
      List<Criterion> acceptance) {
    public PlannedTask {
      allowedPaths = List.copyOf(allowedPaths);
      acceptance = List.copyOf(acceptance);
    }
  }

  /** An acceptance criterion; {@code verification} is the command that proves it, or null. */
  public record Criterion(String id, String description, String verification) {}
}
