package dev.aiflow.triage;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.List;

/**
 * One task in the triage queue.
 *
 * @param key the task's id; also the task id of its StepPack and of its workflow log
 * @param priority 0 is the most urgent; the policy takes lower numbers first
 * @param attempts how often a campaign or a run claimed it
 * @param maxAttempts how many claims it may have; null: the queue's {@code max_attempts}
 * @param dependsOn keys that must be completed before this task is eligible
 * @param lastReason why it last changed status, in words
 * @param claimedBy who holds it while {@code in_progress}: {@code campaign:<id>} or {@code
 *     run:<run-id>}
 * @param plan hints for the auto-planner (objective, allowed paths, acceptance, commands), or null
 * @param extra members this version does not know; kept as they are when the queue is rewritten
 */
public record QueueTask(
    String key,
    String title,
    int priority,
    TaskStatus status,
    int attempts,
    Integer maxAttempts,
    List<String> dependsOn,
    Instant createdAt,
    Instant updatedAt,
    String lastReason,
    String claimedBy,
    TaskPlan plan,
    ObjectNode extra) {

  public QueueTask {
    dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
  }

  /**
   * The task's own {@code escalate_exhausted_rework} (kept with the other members aiflow passes
   * through, checked to be a boolean when the queue is read): overrides the campaign's option.
   */
  public static final String ESCALATE_EXHAUSTED_REWORK = "escalate_exhausted_rework";

  /** This task's override of the campaign's {@code escalateExhaustedRework}, if it has one. */
  public java.util.Optional<Boolean> escalateExhaustedRework() {
    if (extra == null || !extra.has(ESCALATE_EXHAUSTED_REWORK)) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(extra.get(ESCALATE_EXHAUSTED_REWORK).asBoolean());
  }

  /** A new pending task. */
  public static QueueTask pending(String key, String title, int priority, Instant now) {
    return new QueueTask(
        key, title, priority, TaskStatus.PENDING, 0, null, null, now, now, null, null, null, null);
  }

  QueueTask moved(TaskStatus to, int attemptsNow, String claim, String reason, Instant now) {
    return new QueueTask(
        key,
        title,
        priority,
        to,
        attemptsNow,
        maxAttempts,
        dependsOn,
        createdAt,
        now,
        reason,
        claim,
        plan,
        extra);
  }

  public QueueTask withPlan(TaskPlan value) {
    return new QueueTask(
        key,
        title,
        priority,
        status,
        attempts,
        maxAttempts,
        dependsOn,
        createdAt,
        updatedAt,
        lastReason,
        claimedBy,
        value,
        extra);
  }

  public QueueTask withMaxAttempts(Integer value) {
    return new QueueTask(
        key,
        title,
        priority,
        status,
        attempts,
        value,
        dependsOn,
        createdAt,
        updatedAt,
        lastReason,
        claimedBy,
        plan,
        extra);
  }

  public QueueTask withDependsOn(List<String> value) {
    return new QueueTask(
        key,
        title,
        priority,
        status,
        attempts,
        maxAttempts,
        value,
        createdAt,
        updatedAt,
        lastReason,
        claimedBy,
        plan,
        extra);
  }
}
