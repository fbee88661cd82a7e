package dev.aiflow.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.logger.LoggerOptions;
import dev.aiflow.logger.WorkflowLogger;
import dev.aiflow.scoreboard.CycleReport;
import dev.aiflow.support.Queues;
import dev.aiflow.support.Queues.Item;
import dev.aiflow.triage.QueueStore;
import dev.aiflow.triage.TaskStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The campaign's steps on real queue, scoreboard and chain files, without an engine. */
class CampaignLoopTest {

  static final String OWNER = "campaign:pi-1";

  @TempDir Path dir;
  Path queueFile;
  CampaignLoop loop;
  WorkflowLogger log;

  @BeforeEach
  void setUp() throws Exception {
    queueFile = dir.resolve("progress/task_queue.json");
    String packs =
        Queues.write(queueFile, 2, List.of(Item.of("A", 2, "pass"), Item.of("B", 1, "pass")));
    CampaignSpec spec =
        CampaignSpec.builder("p1", queueFile)
            .stepPacks(StepPackMap.fromJson(packs, "packs"))
            .build();
    loop =
        new CampaignLoop(spec, Clock.fixed(Instant.parse("2026-12-01T10:00:00Z"), ZoneOffset.UTC));
    log = WorkflowLogger.openOrInit(dir.resolve("workflow"), "p1", LoggerOptions.defaults());
  }

  @Test
  void selectionFollowsThePolicyAndWritesNoScoreboard() {
    CampaignLoop.Pick pick = loop.select(OWNER, "pi-1", 0, Map.of());

    assertThat(pick.selected()).isTrue();
    assertThat(pick.taskKey()).isEqualTo("B"); // priority 1 before 2
    assertThat(pick.runId()).startsWith("B_20261201T100000Z_");
    // the pick is counted with its cycle's record (or its skip): selecting writes no file
    assertThat(queueFile.resolveSibling("scoreboard.json")).doesNotExist();
    assertThat(loop.select(OWNER, "pi-1", 0, Map.of("B", "no pack")).taskKey()).isEqualTo("A");
  }

  @Test
  void aDrainedQueueSaysWhyTheOpenTasksAreNotRunnable() {
    CampaignLoop.Pick pick = loop.select(OWNER, "pi-1", 0, Map.of("A", "x", "B", "y"));
    assertThat(pick.selected()).isFalse();
    assertThat(pick.drainedDetail()).startsWith("0 completed, 0 failed, 2 not runnable (");
    assertThat(loop.workLeft(OWNER, Map.of("A", "x", "B", "y"))).isFalse();
    assertThat(loop.workLeft(OWNER, Map.of("A", "x"))).isTrue();
  }

  @Test
  void finalizingACompletedCycleTwiceMovesTheTaskAndClosesItOnce() {
    CampaignLoop.Pick pick = loop.select(OWNER, "pi-1", 0, Map.of());
    loop.resolve(OWNER, pick.taskKey(), pick.runId());

    CampaignLoop.Finalized first = finalize(pick, "completed");
    CampaignLoop.Finalized again = finalize(pick, "completed");

    assertThat(first.status()).isEqualTo(TaskStatus.COMPLETED);
    assertThat(first.outcome()).isEqualTo(CycleReport.Outcome.COMPLETED);
    assertThat(first.lastEvent()).isNotNull();
    assertThat(again.status()).isEqualTo(TaskStatus.COMPLETED);
    assertThat(again.lastEvent()).as("closed already: nothing appended").isNull();
    assertThat(log.taskEvents("B")).filteredOn(e -> e.eventType().equals("task_closed")).hasSize(1);
    assertThat(new QueueStore(queueFile).read().require("B").attempts()).isEqualTo(1);
  }

  @Test
  void aFailedCycleWithAttemptsLeftRequeuesOnceUnderRetry() {
    CampaignLoop.Pick pick = loop.select(OWNER, "pi-1", 0, Map.of());
    loop.resolve(OWNER, pick.taskKey(), pick.runId());

    CampaignLoop.Finalized first = finalize(pick, "failed");
    CampaignLoop.Finalized again = finalize(pick, "failed");

    assertThat(first.status()).isEqualTo(TaskStatus.PENDING);
    assertThat(first.outcome()).isEqualTo(CycleReport.Outcome.REQUEUED);
    assertThat(again.lastEvent().eventHash()).isEqualTo(first.lastEvent().eventHash());
    assertThat(log.taskEvents("B"))
        .filteredOn(e -> e.eventType().equals("task_requeued"))
        .hasSize(1);
  }

  @Test
  void theReasonLineSaysHowTheCycleEnded() {
    assertThat(CampaignLoop.reason("R1", "failed", "FAIL", "FAIL_TESTS", 2, "TIMEOUT"))
        .isEqualTo(
            "run R1 failed after 2 rework round(s); last QA FAIL (FAIL_TESTS);"
                + " the agent's last run: TIMEOUT");
    assertThat(CampaignLoop.reason("R2", "rejected", null, null, 0, null))
        .isEqualTo("run R2 rejected at intake");
    assertThat(CampaignLoop.reason("R3", "blocked", null, "GUARD_X", 0, "OK"))
        .isEqualTo("run R3 blocked by the contract guard (GUARD_X)");
  }

  @Test
  void claimsOfCampaignsThatNoLongerRunAreReleased() throws Exception {
    CampaignLoop.Pick pick = loop.select("campaign:gone", "gone", 0, Map.of());
    new CampaignLoop(loop.spec().toBuilder().build(), Clock.systemUTC())
        .resolve("campaign:gone", pick.taskKey(), pick.runId());

    assertThat(loop.releaseStaleClaims(id -> !id.equals("gone"))).containsExactly("B");
    assertThat(new QueueStore(queueFile).read().require("B").status())
        .isEqualTo(TaskStatus.PENDING);
    assertThat(loop.releaseStaleClaims(id -> false)).isEmpty();
    assertThat(Files.exists(queueFile)).isTrue();
  }

  @Test
  void theEndReasonsAreTheEndEventsProperties() {
    assertThat(CampaignLoop.EndReason.of("queue_in_use"))
        .contains(CampaignLoop.EndReason.QUEUE_IN_USE);
    assertThat(CampaignLoop.EndReason.of("budget_exhausted"))
        .contains(CampaignLoop.EndReason.BUDGET_EXHAUSTED);
    assertThat(CampaignLoop.EndReason.of("done")).isEmpty();
  }

  CampaignLoop.Finalized finalize(CampaignLoop.Pick pick, String outcome) {
    return loop.finalizeCycle(
        OWNER, "pi-1", pick.taskKey(), pick.runId(), outcome, null, null, 0, null, log);
  }
}
