package dev.aiflow.intake;

import dev.aiflow.protocol.AcceptanceCriterion;
import dev.aiflow.protocol.StepPack;
import java.util.List;

/**
 * A task as it enters the loop (the task file of {@code aiflow prepare}, a queue entry, a frozen
 * requirement). Fields that were absent are null or empty; {@link RouteDodValidator} says whether
 * the task is ready.
 *
 * @param risk {@code low}, {@code medium} or {@code high}; absent means {@code medium}
 * @param steps the planned steps, if the author listed them
 */
public record IntakeTask(
    String taskTitle,
    String target,
    String executionRoute,
    List<AcceptanceCriterion> acceptanceCriteria,
    String objective,
    String risk,
    List<String> steps,
    List<String> allowedPaths,
    List<String> requiredCommands,
    List<String> outOfScope,
    List<String> risks,
    String rollback) {

  public IntakeTask {
    acceptanceCriteria = acceptanceCriteria == null ? List.of() : List.copyOf(acceptanceCriteria);
    steps = steps == null ? List.of() : List.copyOf(steps);
    allowedPaths = allowedPaths == null ? List.of() : List.copyOf(allowedPaths);
    requiredCommands = requiredCommands == null ? List.of() : List.copyOf(requiredCommands);
    outOfScope = outOfScope == null ? List.of() : List.copyOf(outOfScope);
    risks = risks == null ? List.of() : List.copyOf(risks);
  }

  /**
   * The intake of a step that arrived without one: the pack's own fields, route {@code
   * direct-edit}, one step, and the risk its tier implies ({@code high} for tier3, {@code low} for
   * tier2), so tier routing agrees with the pack.
   */
  public static IntakeTask fromStepPack(StepPack pack) {
    return new IntakeTask(
        pack.title(),
        pack.objective(),
        "direct-edit",
        pack.acceptanceCriteria(),
        pack.objective(),
        "tier3".equals(pack.tier()) ? "high" : "low",
        List.of(),
        pack.allowedPaths(),
        pack.requiredCommands(),
        List.of(),
        List.of(),
        null);
  }

  /** The risk, defaulting to {@code medium} when the author did not say. */
  public String riskOrDefault() {
    return risk == null || risk.isBlank() ? "medium" : risk;
  }

  /** The objective, defaulting to the title. */
  public String objectiveOrTitle() {
    return objective == null || objective.isBlank() ? taskTitle : objective;
  }

  /** What the tier decision looks at. */
  public TierInputs tierInputs() {
    return new TierInputs(
        riskOrDefault(), Math.max(1, steps.size()), allowedPaths.size(), executionRoute);
  }
}
