package dev.aiflow.triage;

import java.time.Instant;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

/**
 * The legal moves of a task: {@code pending -> in_progress -> completed | failed | pending}.
 * Anything else is refused with {@link IllegalTransitionException}; terminal states are final (a
 * failed task is retried by queueing a new task, so its history stays as it was).
 */
public final class Transitions {

  private static final Map<TaskStatus, Set<TaskStatus>> LEGAL =
      Map.of(
          TaskStatus.PENDING, EnumSet.of(TaskStatus.IN_PROGRESS),
          TaskStatus.IN_PROGRESS,
              EnumSet.of(TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.PENDING),
          TaskStatus.COMPLETED, EnumSet.noneOf(TaskStatus.class),
          TaskStatus.FAILED, EnumSet.noneOf(TaskStatus.class));

  private Transitions() {}

  public static boolean legal(TaskStatus from, TaskStatus to) {
    return LEGAL.get(from).contains(to);
  }

  /** The statuses reachable from {@code from}. */
  public static Set<TaskStatus> from(TaskStatus from) {
    return Set.copyOf(LEGAL.get(from));
  }

  /**
   * Claims a pending task for {@code owner}: {@code in_progress}, one more attempt.
   *
   * @throws IllegalTransitionException unless the task is pending
   */
  public static QueueTask claim(QueueTask t, String owner, Instant now) {
    check(t, TaskStatus.IN_PROGRESS);
    return t.moved(TaskStatus.IN_PROGRESS, t.attempts() + 1, owner, "claimed by " + owner, now);
  }

  /**
   * Ends a claim: {@code completed}, {@code failed}, or back to {@code pending}.
   *
   * @throws IllegalTransitionException unless the task is in progress and held by {@code owner}
   */
  public static QueueTask finish(
      QueueTask t, String owner, TaskStatus to, String reason, Instant now) {
    if (to == TaskStatus.IN_PROGRESS) {
      throw new IllegalTransitionException(t.key(), "finishing a claim cannot keep it in progress");
    }
    check(t, to);
    if (owner != null && !owner.equals(t.claimedBy())) {
      throw new IllegalTransitionException(
          t.key(), "it is claimed by " + t.claimedBy() + ", not by " + owner);
    }
    return t.moved(to, t.attempts(), null, reason, now);
  }

  private static void check(QueueTask t, TaskStatus to) {
    if (!legal(t.status(), to)) {
      Set<TaskStatus> allowed = LEGAL.get(t.status());
      throw new IllegalTransitionException(
          t.key(),
          "cannot go from "
              + t.status()
              + " to "
              + to
              + (allowed.isEmpty()
                  ? " (" + t.status() + " is final)"
                  : " (from " + t.status() + " only to " + allowed + ")"));
    }
  }
}
