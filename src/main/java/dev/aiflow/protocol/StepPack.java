package dev.aiflow.protocol;

import java.util.List;

/**
 * Controller -> worker: one bounded step (schema {@code aiflow.step_pack.v1}, see
 * docs/protocol.md). Instances come from {@link Protocol#parseStepPack} or are built in code and
 * checked with {@link Protocol#validate}.
 */
public record StepPack(
    String schema,
    String runId,
    String taskId,
    String stepId,
    String title,
    String objective,
    List<String> instructions,
    String tier,
    String contractRef,
    List<String> allowedPaths,
    List<AcceptanceCriterion> acceptanceCriteria,
    List<String> requiredCommands,
    String evidenceDir,
    Limits limits,
    Worker worker)
    implements StepSpec {

  public static final String SCHEMA = "aiflow.step_pack.v1";

  public StepPack {
    instructions = instructions == null ? List.of() : List.copyOf(instructions);
    allowedPaths = allowedPaths == null ? List.of() : List.copyOf(allowedPaths);
    acceptanceCriteria = acceptanceCriteria == null ? List.of() : List.copyOf(acceptanceCriteria);
    requiredCommands = requiredCommands == null ? List.of() : List.copyOf(requiredCommands);
  }

  /** The same pack for another backend (per-dispatch override, task -> backend maps). */
  public StepPack withBackend(String backend) {
    return new StepPack(
        schema,
        runId,
        taskId,
        stepId,
        title,
        objective,
        instructions,
        tier,
        contractRef,
        allowedPaths,
        acceptanceCriteria,
        requiredCommands,
        evidenceDir,
        limits,
        new Worker(backend, worker == null ? null : worker.model()));
  }

  /** The same pack for another run (a campaign stamps each cycle's run id). */
  public StepPack withRunId(String value) {
    return new StepPack(
        schema,
        value,
        taskId,
        stepId,
        title,
        objective,
        instructions,
        tier,
        contractRef,
        allowedPaths,
        acceptanceCriteria,
        requiredCommands,
        evidenceDir,
        limits,
        worker);
  }

  /** The same pack with other limits (command-line overrides). */
  public StepPack withLimits(Limits value) {
    return new StepPack(
        schema,
        runId,
        taskId,
        stepId,
        title,
        objective,
        instructions,
        tier,
        contractRef,
        allowedPaths,
        acceptanceCriteria,
        requiredCommands,
        evidenceDir,
        value,
        worker);
  }
}
