package dev.aiflow.protocol;

/**
 * One acceptance criterion of a step.
 *
 * @param id e.g. {@code AC-1}
 * @param description what must hold
 * @param verification the command that proves it: the kernel runs it itself after the agent, in the
 *     workspace, and the criterion holds only when it exits 0
 * @param manual {@code true} when a person judges the criterion (the QA gate then says the step
 *     needs a person); the only way a criterion without a verification command can pass. Null or
 *     absent means false.
 */
public record AcceptanceCriterion(
    String id, String description, String verification, Boolean manual) {

  public AcceptanceCriterion(String id, String description, String verification) {
    this(id, description, verification, null);
  }

  /** Whether a person must judge this criterion (it is marked manual). */
  public boolean needsPerson() {
    return Boolean.TRUE.equals(manual);
  }
}
