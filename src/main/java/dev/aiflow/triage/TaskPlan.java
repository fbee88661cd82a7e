package dev.aiflow.triage;

import java.util.List;

/**
 * What the auto-planner needs to write a StepPack for a task that has none (docs/triage.md,
 * "Auto-plan"). Without allowed paths and acceptance criteria there is no safe plan.
 *
 * @param objective what must be true afterwards; the task's title when absent
 * @param instructions extra lines for the agent
 * @param allowedPaths the only paths the agent may change
 * @param acceptanceCriteria one sentence each; ids AC-1, AC-2... in this order
 * @param requiredCommands commands that must run and succeed; the first verifies every criterion
 * @param backend the worker backend, or null for the campaign's
 */
public record TaskPlan(
    String objective,
    List<String> instructions,
    List<String> allowedPaths,
    List<String> acceptanceCriteria,
    List<String> requiredCommands,
    String backend) {

  public TaskPlan {
    instructions = instructions == null ? List.of() : List.copyOf(instructions);
    allowedPaths = allowedPaths == null ? List.of() : List.copyOf(allowedPaths);
    acceptanceCriteria = acceptanceCriteria == null ? List.of() : List.copyOf(acceptanceCriteria);
    requiredCommands = requiredCommands == null ? List.of() : List.copyOf(requiredCommands);
  }
}
