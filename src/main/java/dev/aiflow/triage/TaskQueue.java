package dev.aiflow.triage;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The triage queue: its tasks in file order and the default attempt limit. Immutable; every change
 * returns a new queue, which {@link QueueStore} writes atomically.
 *
 * @param maxAttempts how many claims a task may have unless it says otherwise (default 2: one
 *     requeue)
 * @param extra top-level members this version does not know, kept on rewrite
 */
public record TaskQueue(
    int schemaVersion, int maxAttempts, List<QueueTask> tasks, ObjectNode extra) {

  public static final int SCHEMA_VERSION = 1;
  public static final int DEFAULT_MAX_ATTEMPTS = 2;

  public TaskQueue {
    tasks = List.copyOf(tasks);
  }

  public static TaskQueue of(List<QueueTask> tasks) {
    return new TaskQueue(SCHEMA_VERSION, DEFAULT_MAX_ATTEMPTS, tasks, null);
  }

  public Optional<QueueTask> find(String key) {
    return tasks.stream().filter(t -> t.key().equals(key)).findFirst();
  }

  public QueueTask require(String key) {
    return find(key)
        .orElseThrow(() -> new IllegalArgumentException("the queue has no task '" + key + "'"));
  }

  /** The attempt limit of one task. */
  public int maxAttemptsOf(QueueTask t) {
    return t.maxAttempts() != null ? t.maxAttempts() : maxAttempts;
  }

  public TaskQueue replace(QueueTask changed) {
    List<QueueTask> next = new ArrayList<>(tasks.size());
    boolean found = false;
    for (QueueTask t : tasks) {
      if (t.key().equals(changed.key())) {
        next.add(changed);
        found = true;
      } else {
        next.add(t);
      }
    }
    if (!found) {
      throw new IllegalArgumentException("the queue has no task '" + changed.key() + "'");
    }
    return new TaskQueue(schemaVersion, maxAttempts, next, extra);
  }

  /**
   * Claims {@code key} for {@code owner} (see {@link Transitions#claim}); a task the owner already
   * holds stays as it is (a resumed run).
   */
  public TaskQueue claim(String key, String owner, Instant now) {
    QueueTask t = require(key);
    if (t.status() == TaskStatus.IN_PROGRESS && owner.equals(t.claimedBy())) {
      return this;
    }
    return replace(Transitions.claim(t, owner, now));
  }

  /**
   * Records how a claimed task's cycle ended: {@code completed}; or, when it did not complete, back
   * to {@code pending} while attempts remain, else {@code failed}. A rejected intake fails at once:
   * the same pack would be rejected again.
   */
  public TaskQueue finishCycle(String key, String owner, CycleEnd end, String reason, Instant now) {
    QueueTask t = require(key);
    TaskStatus to =
        switch (end) {
          case COMPLETED -> TaskStatus.COMPLETED;
          case REJECTED -> TaskStatus.FAILED;
          case FAILED -> t.attempts() < maxAttemptsOf(t) ? TaskStatus.PENDING : TaskStatus.FAILED;
        };
    String why =
        to == TaskStatus.PENDING
            ? reason + "; requeued (attempt " + t.attempts() + " of " + maxAttemptsOf(t) + ")"
            : reason;
    return replace(Transitions.finish(t, owner, to, why, now));
  }

  /** Puts tasks held by owners that are gone back to pending. */
  public TaskQueue release(Predicate<String> ownerGone, String reason, Instant now) {
    TaskQueue q = this;
    for (QueueTask t : tasks) {
      if (t.status() == TaskStatus.IN_PROGRESS
          && t.claimedBy() != null
          && ownerGone.test(t.claimedBy())) {
        q =
            q.replace(
                Transitions.finish(
                    t,
                    t.claimedBy(),
                    TaskStatus.PENDING,
                    reason + " (" + t.claimedBy() + ")",
                    now));
      }
    }
    return q;
  }

  public QueueCounts counts() {
    int pending = 0;
    int inProgress = 0;
    int completed = 0;
    int failed = 0;
    for (QueueTask t : tasks) {
      switch (t.status()) {
        case PENDING -> pending++;
        case IN_PROGRESS -> inProgress++;
        case COMPLETED -> completed++;
        case FAILED -> failed++;
      }
    }
    return new QueueCounts(pending, inProgress, completed, failed);
  }

  /** How a cycle over a claimed task ended, as the queue sees it. */
  public enum CycleEnd {
    COMPLETED,
    FAILED,
    REJECTED
  }
}
