package dev.aiflow.triage;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Which task runs next (docs/triage.md, "Selection"): among eligible tasks, the lowest priority
 * number, then the oldest {@code created_at}, then the earliest in the file. A task is eligible
 * when it is pending (or already held by the asking owner), all its dependencies are completed, it
 * has attempts left, and the caller has not excluded it. Every task passed over is reported with
 * the reason, so "nothing to do" is always explained.
 */
public final class SelectionPolicy {

  static final Comparator<QueueTask> ORDER =
      Comparator.comparingInt(QueueTask::priority)
          .thenComparing(QueueTask::createdAt, Comparator.nullsLast(Comparator.naturalOrder()));

  private SelectionPolicy() {}

  /** A task that was not eligible, and why. */
  public record PassedOver(String key, String reason) {}

  /** The choice: a task, or none, with everything passed over. */
  public record Selection(Optional<QueueTask> task, List<PassedOver> passedOver) {

    /** Why the tasks still open (pending or in progress) were passed over, in one line. */
    public String explanationOfOpen() {
      return passedOver.stream()
          .filter(
              p -> !p.reason().startsWith("is completed") && !p.reason().startsWith("is failed"))
          .map(p -> p.key() + " " + p.reason())
          .collect(Collectors.joining("; "));
    }

    /** The reasons nothing was selected, in one line. */
    public String explanation() {
      if (passedOver.isEmpty()) {
        return "the queue is empty";
      }
      return passedOver.stream()
          .map(p -> p.key() + " " + p.reason())
          .collect(Collectors.joining("; "));
    }
  }

  /**
   * @param owner the asking campaign or run; a task it already holds is eligible again (a resumed
   *     run), or null
   * @param excluded keys the caller set aside, with the reason (e.g. no StepPack)
   */
  public static Selection select(TaskQueue queue, String owner, Map<String, String> excluded) {
    Map<String, QueueTask> byKey =
        queue.tasks().stream().collect(Collectors.toMap(QueueTask::key, Function.identity()));
    List<QueueTask> eligible = new ArrayList<>();
    List<PassedOver> passed = new ArrayList<>();
    for (QueueTask t : queue.tasks()) {
      String why = ineligibility(queue, t, owner, excluded, byKey);
      if (why == null) {
        eligible.add(t);
      } else {
        passed.add(new PassedOver(t.key(), why));
      }
    }
    // a stable sort keeps file order among equals
    eligible.sort(ORDER);
    return new Selection(eligible.stream().findFirst(), List.copyOf(passed));
  }

  /**
   * Every eligible task whose dependencies completed, in policy order, up to {@code max}: what a
   * campaign running tasks in parallel starts next (issue 20).
   */
  public static List<QueueTask> selectUpTo(
      TaskQueue queue, String owner, Map<String, String> excluded, int max) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be 1 or more");
    }
    Map<String, QueueTask> byKey =
        queue.tasks().stream().collect(Collectors.toMap(QueueTask::key, Function.identity()));
    List<QueueTask> eligible = new ArrayList<>();
    for (QueueTask t : queue.tasks()) {
      if (ineligibility(queue, t, owner, excluded, byKey) == null) {
        eligible.add(t);
      }
    }
    eligible.sort(ORDER);
    return List.copyOf(eligible.subList(0, Math.min(max, eligible.size())));
  }

  private static String ineligibility(
      TaskQueue queue,
      QueueTask t,
      String owner,
      Map<String, String> excluded,
      Map<String, QueueTask> byKey) {
    if (excluded.containsKey(t.key())) {
      return "set aside: " + excluded.get(t.key());
    }
    switch (t.status()) {
      case COMPLETED, FAILED -> {
        return "is " + t.status();
      }
      case IN_PROGRESS -> {
        if (owner == null || !owner.equals(t.claimedBy())) {
          return "is in progress (claimed by " + t.claimedBy() + ")";
        }
        return null; // the owner's own claim: resume it
      }
      case PENDING -> {
        // eligible unless one of the checks below says otherwise
      }
    }
    int max = queue.maxAttemptsOf(t);
    if (t.attempts() >= max) {
      return "has used its " + max + " attempt(s)";
    }
    for (String dep : t.dependsOn()) {
      QueueTask d = byKey.get(dep);
      if (d == null) {
        return "depends on " + dep + ", which is not in the queue";
      }
      if (d.status() != TaskStatus.COMPLETED) {
        return "waits for " + dep + " (" + d.status() + ")";
      }
    }
    return null;
  }
}
