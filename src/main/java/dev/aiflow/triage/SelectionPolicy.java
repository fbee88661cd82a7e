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

  /**
   * As {@link #selectUpTo(TaskQueue, String, Map, int)}, without git isolation: a task whose
   * allowed paths overlap those of a task in progress, or of one chosen before it, waits (issue
   * 20), so tasks sharing files never run at the same time in the shared workspace.
   *
   * @param allowedPaths a task's allowed path patterns (its StepPack's, or its plan's); an empty
   *     list counts as the whole workspace
   */
  public static List<QueueTask> selectUpTo(
      TaskQueue queue,
      String owner,
      Map<String, String> excluded,
      int max,
      Function<QueueTask, List<String>> allowedPaths) {
    List<List<String>> busy = new ArrayList<>();
    for (QueueTask t : queue.tasks()) {
      if (t.status() == TaskStatus.IN_PROGRESS && (owner == null || !owner.equals(t.claimedBy()))) {
        busy.add(allowedPaths.apply(t));
      }
    }
    List<QueueTask> chosen = new ArrayList<>();
    for (QueueTask t : selectUpTo(queue, owner, excluded, Integer.MAX_VALUE)) {
      if (chosen.size() == max) {
        break;
      }
      List<String> paths = allowedPaths.apply(t);
      if (busy.stream().noneMatch(b -> overlap(b, paths))) {
        chosen.add(t);
        busy.add(paths);
      }
    }
    return List.copyOf(chosen);
  }

  /**
   * Whether two sets of path patterns may name a common file. Conservative: each pattern is cut at
   * its first segment with a wildcard, and two patterns overlap when one's literal segments begin
   * the other's ({@code src/**} and {@code src/A.txt} do, {@code src/A.txt} and {@code docs/*.md}
   * do not); an empty set is the whole workspace.
   */
  public static boolean overlap(List<String> a, List<String> b) {
    if (a.isEmpty() || b.isEmpty()) {
      return true;
    }
    for (String x : a) {
      for (String y : b) {
        List<String> px = literalSegments(x);
        List<String> py = literalSegments(y);
        int n = Math.min(px.size(), py.size());
        if (px.subList(0, n).equals(py.subList(0, n))) {
          return true;
        }
      }
    }
    return false;
  }

  private static List<String> literalSegments(String pattern) {
    List<String> out = new ArrayList<>();
    for (String s : pattern.replace('\\', '/').split("/")) {
      if (s.isEmpty() || s.equals(".")) {
        continue;
      }
      if (s.matches(".*[*?\\[{].*")) {
        break;
      }
      out.add(s);
    }
    return out;
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
