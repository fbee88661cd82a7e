package dev.aiflow.protocol;

import java.util.List;

/**
 * Worker -> controller: what a step or rework did (schema {@code aiflow.step_result.v1}). Paths are
 * reported as the worker wrote them; the QA gate, not the parser, judges whether they stay in
 * scope, so an escape attempt is visible as such.
 */
public record StepResult(
    String schema,
    String runId,
    String taskId,
    String stepId,
    String result,
    String reasonCode,
    String reasonDetail,
    List<String> changedFiles,
    List<CommandRecord> commands,
    List<AcceptanceEvidence> acceptance,
    List<String> artifacts,
    String threadId,
    String nextAction) {

  public static final String SCHEMA = "aiflow.step_result.v1";

  public StepResult {
    changedFiles = changedFiles == null ? List.of() : List.copyOf(changedFiles);
    commands = commands == null ? List.of() : List.copyOf(commands);
    acceptance = acceptance == null ? List.of() : List.copyOf(acceptance);
    artifacts = artifacts == null ? List.of() : List.copyOf(artifacts);
  }

  /**
   * A result the controller writes itself when the agent produced none it could accept (a timeout,
   * silence, a parse error): {@code FAIL} with the supervisor's code, nothing claimed.
   */
  public static StepResult synthesized(
      String runId,
      String taskId,
      String stepId,
      String reasonCode,
      String detail,
      String threadId) {
    return new StepResult(
        SCHEMA,
        runId,
        taskId,
        stepId,
        "FAIL",
        reasonCode,
        detail,
        List.of(),
        List.of(),
        List.of(),
        List.of(),
        threadId,
        "Controller: review the evidence of the failed run and rework the step.");
  }
}
