package dev.aiflow.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * Controller -> worker: rework of a step that failed its QA review (schema {@code
 * aiflow.rework_pack.v1}). It is self-contained: the scope, criteria, commands and limits travel
 * with it, so the worker needs nothing else.
 */
public record ReworkPack(
    String schema,
    String runId,
    String taskId,
    String stepId,
    String reworksStepId,
    int round,
    @JsonInclude(JsonInclude.Include.ALWAYS) String threadId,
    List<FailingCheck> failingChecks,
    String objective,
    List<String> instructions,
    List<String> allowedPaths,
    List<AcceptanceCriterion> acceptanceCriteria,
    List<String> requiredCommands,
    String evidenceDir,
    Limits limits,
    Worker worker)
    implements StepSpec {

  public static final String SCHEMA = "aiflow.rework_pack.v1";

  public ReworkPack {
    failingChecks = failingChecks == null ? List.of() : List.copyOf(failingChecks);
    instructions = instructions == null ? List.of() : List.copyOf(instructions);
    allowedPaths = allowedPaths == null ? List.of() : List.copyOf(allowedPaths);
    acceptanceCriteria = acceptanceCriteria == null ? List.of() : List.copyOf(acceptanceCriteria);
    requiredCommands = requiredCommands == null ? List.of() : List.copyOf(requiredCommands);
  }

  /** The same pack for another backend. */
  public ReworkPack withBackend(String backend) {
    return new ReworkPack(
        schema,
        runId,
        taskId,
        stepId,
        reworksStepId,
        round,
        threadId,
        failingChecks,
        objective,
        instructions,
        allowedPaths,
        acceptanceCriteria,
        requiredCommands,
        evidenceDir,
        limits,
        new Worker(backend, worker == null ? null : worker.model()));
  }

  /** The same pack with other limits. */
  public ReworkPack withLimits(Limits value) {
    return new ReworkPack(
        schema,
        runId,
        taskId,
        stepId,
        reworksStepId,
        round,
        threadId,
        failingChecks,
        objective,
        instructions,
        allowedPaths,
        acceptanceCriteria,
        requiredCommands,
        evidenceDir,
        value,
        worker);
  }

  /** The same pack resuming another agent thread. */
  public ReworkPack withThreadId(String value) {
    return new ReworkPack(
        schema,
        runId,
        taskId,
        stepId,
        reworksStepId,
        round,
        value,
        failingChecks,
        objective,
        instructions,
        allowedPaths,
        acceptanceCriteria,
        requiredCommands,
        evidenceDir,
        limits,
        worker);
  }
}
