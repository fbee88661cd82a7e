package dev.aiflow.triage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every legal move of a task, and every illegal one refused with a clear message. */
class TransitionsTest {

  static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
  static final Instant T1 = Instant.parse("2026-11-23T10:05:00Z");

  static QueueTask task(TaskStatus status, String claim) {
    return new QueueTask("T-1", "t", 1, status, 1, null, null, T0, T0, null, claim, null, null);
  }

  @Test
  void claimingAPendingTaskCountsAnAttemptAndRecordsTheOwner() {
    QueueTask t = QueueTask.pending("T-1", "t", 1, T0);
    QueueTask claimed = Transitions.claim(t, "campaign:c1", T1);
    assertThat(claimed.status()).isEqualTo(TaskStatus.IN_PROGRESS);
    assertThat(claimed.attempts()).isEqualTo(1);
    assertThat(claimed.claimedBy()).isEqualTo("campaign:c1");
    assertThat(claimed.updatedAt()).isEqualTo(T1);
    assertThat(claimed.createdAt()).isEqualTo(T0);
    assertThat(claimed.lastReason()).isEqualTo("claimed by campaign:c1");
  }

  @ParameterizedTest
  @CsvSource({"COMPLETED", "FAILED", "PENDING"})
  void aClaimEndsInAnyOfItsThreeWays(TaskStatus to) {
    QueueTask done =
        Transitions.finish(task(TaskStatus.IN_PROGRESS, "run:r"), "run:r", to, "why", T1);
    assertThat(done.status()).isEqualTo(to);
    assertThat(done.claimedBy()).isNull();
    assertThat(done.lastReason()).isEqualTo("why");
    assertThat(done.attempts()).isEqualTo(1);
  }

  @ParameterizedTest
  @CsvSource({
    "PENDING, COMPLETED, from pending only to [in_progress]",
    "PENDING, FAILED, from pending only to [in_progress]",
    "PENDING, PENDING, from pending only to [in_progress]",
    "IN_PROGRESS, IN_PROGRESS, finishing a claim cannot keep it in progress",
    "COMPLETED, PENDING, completed is final",
    "COMPLETED, FAILED, completed is final",
    "COMPLETED, IN_PROGRESS, completed is final",
    "FAILED, PENDING, failed is final",
    "FAILED, COMPLETED, failed is final",
    "FAILED, IN_PROGRESS, failed is final"
  })
  void illegalMovesAreRefusedNamingTheRule(TaskStatus from, TaskStatus to, String rule) {
    QueueTask t = task(from, from == TaskStatus.IN_PROGRESS ? "run:r" : null);
    assertThatThrownBy(
            () -> {
              if (to == TaskStatus.IN_PROGRESS && from != TaskStatus.IN_PROGRESS) {
                Transitions.claim(t, "run:r", T1);
              } else {
                Transitions.finish(t, "run:r", to, "x", T1);
              }
            })
        .isInstanceOf(IllegalTransitionException.class)
        .hasMessageStartingWith("task T-1: ")
        .hasMessageContaining(rule);
  }

  @Test
  void onlyTheOwnerFinishesAClaim() {
    assertThatThrownBy(
            () ->
                Transitions.finish(
                    task(TaskStatus.IN_PROGRESS, "campaign:a"),
                    "campaign:b",
                    TaskStatus.COMPLETED,
                    "x",
                    T1))
        .isInstanceOf(IllegalTransitionException.class)
        .hasMessageContaining("claimed by campaign:a, not by campaign:b");
  }

  @Test
  void theTableOfLegalMovesIsExactlyTheDocumentedOne() {
    assertThat(Transitions.from(TaskStatus.PENDING)).containsExactly(TaskStatus.IN_PROGRESS);
    assertThat(Transitions.from(TaskStatus.IN_PROGRESS))
        .containsExactlyInAnyOrder(TaskStatus.COMPLETED, TaskStatus.FAILED, TaskStatus.PENDING);
    assertThat(Transitions.from(TaskStatus.COMPLETED)).isEmpty();
    assertThat(Transitions.from(TaskStatus.FAILED)).isEmpty();
  }

  @Test
  void aFailedCycleRequeuesWhileAttemptsRemainThenFails() {
    TaskQueue q = TaskQueue.of(java.util.List.of(QueueTask.pending("T-1", "t", 1, T0)));
    q = q.claim("T-1", "c", T1).finishCycle("T-1", "c", TaskQueue.CycleEnd.FAILED, "QA FAIL", T1);
    assertThat(q.require("T-1").status()).isEqualTo(TaskStatus.PENDING);
    assertThat(q.require("T-1").lastReason()).isEqualTo("QA FAIL; requeued (attempt 1 of 2)");
    q = q.claim("T-1", "c", T1).finishCycle("T-1", "c", TaskQueue.CycleEnd.FAILED, "QA FAIL", T1);
    assertThat(q.require("T-1").status()).isEqualTo(TaskStatus.FAILED);
    assertThat(q.require("T-1").attempts()).isEqualTo(2);
  }

  @Test
  void aRejectedIntakeFailsAtOnceAndACompletedCycleCompletes() {
    TaskQueue q =
        TaskQueue.of(
            java.util.List.of(
                QueueTask.pending("A", "a", 1, T0), QueueTask.pending("B", "b", 1, T0)));
    q = q.claim("A", "c", T1).finishCycle("A", "c", TaskQueue.CycleEnd.REJECTED, "intake", T1);
    q = q.claim("B", "c", T1).finishCycle("B", "c", TaskQueue.CycleEnd.COMPLETED, "ok", T1);
    assertThat(q.require("A").status()).isEqualTo(TaskStatus.FAILED);
    assertThat(q.require("A").attempts()).isEqualTo(1);
    assertThat(q.require("B").status()).isEqualTo(TaskStatus.COMPLETED);
    assertThat(q.counts()).isEqualTo(new QueueCounts(0, 0, 1, 1));
  }

  @Test
  void theOwnersOwnClaimIsResumedNotTakenTwice() {
    TaskQueue q = TaskQueue.of(java.util.List.of(QueueTask.pending("A", "a", 1, T0)));
    q = q.claim("A", "run:r", T1);
    assertThat(q.claim("A", "run:r", T1)).isSameAs(q);
    TaskQueue claimed = q;
    assertThatThrownBy(() -> claimed.claim("A", "run:other", T1))
        .isInstanceOf(IllegalTransitionException.class);
  }

  @Test
  void releasingPutsOnlyTheClaimsOfGoneOwnersBack() {
    TaskQueue q =
        TaskQueue.of(
                java.util.List.of(
                    QueueTask.pending("A", "a", 1, T0), QueueTask.pending("B", "b", 1, T0)))
            .claim("A", "campaign:dead", T1)
            .claim("B", "campaign:alive", T1);
    TaskQueue released = q.release(o -> o.equals("campaign:dead"), "released", T1);
    assertThat(released.require("A").status()).isEqualTo(TaskStatus.PENDING);
    assertThat(released.require("A").lastReason()).isEqualTo("released (campaign:dead)");
    assertThat(released.require("B").status()).isEqualTo(TaskStatus.IN_PROGRESS);
  }
}
