package dev.aiflow.triage;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Priority, then age, then file order; ineligible tasks passed over with the reason. */
class SelectionPolicyTest {

  static final Instant OLD = Instant.parse("2026-11-01T00:00:00Z");
  static final Instant NEW = Instant.parse("2026-11-20T00:00:00Z");

  static String pick(TaskQueue q) {
    return SelectionPolicy.select(q, null, Map.of()).task().map(QueueTask::key).orElse(null);
  }

  /** A diamond: A, then B and C (in parallel), then D. */
  @Test
  void aBatchIsEveryEligibleTaskWhoseDependenciesCompletedInPolicyOrderUpToTheLimit() {
    TaskQueue q =
        TaskQueue.of(
            List.of(
                QueueTask.pending("D", "", 0, OLD).withDependsOn(List.of("B", "C")),
                QueueTask.pending("C", "", 2, OLD).withDependsOn(List.of("A")),
                QueueTask.pending("B", "", 1, OLD).withDependsOn(List.of("A")),
                QueueTask.pending("A", "", 3, OLD),
                QueueTask.pending("E", "", 4, OLD)));
    assertThat(SelectionPolicy.selectUpTo(q, null, Map.of(), 4))
        .extracting(QueueTask::key)
        .containsExactly("A", "E");

    q = q.claim("A", "c", NEW).finishCycle("A", "c", TaskQueue.CycleEnd.COMPLETED, "ok", NEW);
    assertThat(SelectionPolicy.selectUpTo(q, null, Map.of(), 4))
        .extracting(QueueTask::key)
        .containsExactly("B", "C", "E");
    assertThat(SelectionPolicy.selectUpTo(q, null, Map.of(), 2))
        .extracting(QueueTask::key)
        .containsExactly("B", "C");

    q = q.claim("B", "c", NEW).finishCycle("B", "c", TaskQueue.CycleEnd.COMPLETED, "ok", NEW);
    assertThat(SelectionPolicy.selectUpTo(q, null, Map.of(), 4))
        .as("D waits for C")
        .extracting(QueueTask::key)
        .containsExactly("C", "E");
  }

  @Test
  void pathPatternsOverlapWhenOneCanNameAFileOfTheOther() {
    assertThat(SelectionPolicy.overlap(List.of("src/A.txt"), List.of("src/B.txt"))).isFalse();
    assertThat(SelectionPolicy.overlap(List.of("src/**"), List.of("src/A.txt"))).isTrue();
    assertThat(SelectionPolicy.overlap(List.of("docs/*.md"), List.of("src/**"))).isFalse();
    assertThat(SelectionPolicy.overlap(List.of("./src/A.txt"), List.of("src/A.txt"))).isTrue();
    assertThat(SelectionPolicy.overlap(List.of("src"), List.of("src/A.txt"))).isTrue();
    assertThat(SelectionPolicy.overlap(List.of("**/*.java"), List.of("docs/x.md")))
        .as("a pattern without a literal start may name anything")
        .isTrue();
    assertThat(SelectionPolicy.overlap(List.of(), List.of("docs/x.md")))
        .as("no declared paths: the whole workspace")
        .isTrue();
    assertThat(SelectionPolicy.overlap(List.of("a/x", "b/y"), List.of("c/z", "b/**"))).isTrue();
  }

  @Test
  void withoutGitTasksWhosePathsOverlapARunningOrChosenTaskWait() {
    Map<String, List<String>> paths =
        Map.of(
            "A", List.of("src/A.txt"),
            "B", List.of("src/**"),
            "C", List.of("docs/C.md"),
            "D", List.of("src/D.txt"),
            "E", List.of("docs/**"));
    TaskQueue q =
        TaskQueue.of(
                List.of(
                    QueueTask.pending("A", "", 0, OLD),
                    QueueTask.pending("B", "", 1, OLD),
                    QueueTask.pending("C", "", 2, OLD),
                    QueueTask.pending("D", "", 3, OLD),
                    QueueTask.pending("E", "", 4, OLD)))
            .claim("C", "campaign:pi#2", NEW);

    List<QueueTask> batch =
        SelectionPolicy.selectUpTo(q, "campaign:pi#1", Map.of(), 4, t -> paths.get(t.key()));

    // B (src/**) overlaps A chosen before it; E (docs/**) overlaps C, which another lane runs
    assertThat(batch).extracting(QueueTask::key).containsExactly("A", "D");
    assertThat(SelectionPolicy.selectUpTo(q, "campaign:pi#1", Map.of(), 1, t -> paths.get(t.key())))
        .extracting(QueueTask::key)
        .containsExactly("A");
  }

  @Test
  void theLowestPriorityNumberGoesFirst() {
    TaskQueue q =
        TaskQueue.of(
            List.of(
                QueueTask.pending("P2", "", 2, OLD),
                QueueTask.pending("P0", "", 0, NEW),
                QueueTask.pending("P1", "", 1, OLD)));
    assertThat(pick(q)).isEqualTo("P0");
  }

  @Test
  void amongEqualPrioritiesTheOldestGoesFirstThenFileOrder() {
    TaskQueue q =
        TaskQueue.of(
            List.of(
                QueueTask.pending("NEW", "", 1, NEW),
                QueueTask.pending("OLD-A", "", 1, OLD),
                QueueTask.pending("OLD-B", "", 1, OLD)));
    assertThat(pick(q)).isEqualTo("OLD-A");
  }

  @Test
  void ineligibleTasksArePassedOverWithTheirReasons() {
    QueueTask done = QueueTask.pending("DONE", "", 0, OLD);
    TaskQueue q =
        TaskQueue.of(
                List.of(
                    done,
                    QueueTask.pending("HELD", "", 0, OLD),
                    QueueTask.pending("WAITS", "", 0, OLD).withDependsOn(List.of("LATER")),
                    QueueTask.pending("LATER", "", 5, NEW),
                    QueueTask.pending("ASIDE", "", 0, OLD),
                    QueueTask.pending("SPENT", "", 0, OLD).withMaxAttempts(1)))
            .claim("DONE", "c", NEW)
            .finishCycle("DONE", "c", TaskQueue.CycleEnd.COMPLETED, "ok", NEW)
            .claim("HELD", "campaign:other", NEW)
            .claim("SPENT", "c", NEW);
    q = q.replace(Transitions.finish(q.require("SPENT"), "c", TaskStatus.PENDING, "x", NEW));

    SelectionPolicy.Selection s =
        SelectionPolicy.select(q, "campaign:me", Map.of("ASIDE", "no pack"));

    assertThat(s.task()).map(QueueTask::key).hasValue("LATER");
    assertThat(s.passedOver())
        .containsExactly(
            new SelectionPolicy.PassedOver("DONE", "is completed"),
            new SelectionPolicy.PassedOver("HELD", "is in progress (claimed by campaign:other)"),
            new SelectionPolicy.PassedOver("WAITS", "waits for LATER (pending)"),
            new SelectionPolicy.PassedOver("ASIDE", "set aside: no pack"),
            new SelectionPolicy.PassedOver("SPENT", "has used its 1 attempt(s)"));
  }

  @Test
  void aTaskBecomesEligibleWhenItsDependencyCompletes() {
    TaskQueue q =
        TaskQueue.of(
            List.of(
                QueueTask.pending("B", "", 0, OLD).withDependsOn(List.of("A")),
                QueueTask.pending("A", "", 9, NEW)));
    assertThat(pick(q)).isEqualTo("A");
    q = q.claim("A", "c", NEW).finishCycle("A", "c", TaskQueue.CycleEnd.COMPLETED, "ok", NEW);
    assertThat(pick(q)).isEqualTo("B");
  }

  @Test
  void anOwnerResumesItsOwnClaim() {
    TaskQueue q =
        TaskQueue.of(List.of(QueueTask.pending("A", "", 1, OLD))).claim("A", "run:R", NEW);
    assertThat(SelectionPolicy.select(q, "run:R", Map.of()).task()).isPresent();
    assertThat(SelectionPolicy.select(q, "run:S", Map.of()).task()).isEmpty();
  }

  @Test
  void anEmptyQueueExplainsItself() {
    SelectionPolicy.Selection s = SelectionPolicy.select(TaskQueue.of(List.of()), null, Map.of());
    assertThat(s.task()).isEmpty();
    assertThat(s.explanation()).isEqualTo("the queue is empty");
  }
}
