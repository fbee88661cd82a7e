package dev.aiflow.scoreboard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.engine.LoggerRegistry;
import dev.aiflow.engine.stepcycle.StepCycleService;
import dev.aiflow.logger.ChainEvent;
import dev.aiflow.support.EngineTestBase;
import dev.aiflow.support.Packs;
import dev.aiflow.triage.QueueCounts;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The honesty rate comes from the chain the step cycle wrote: an agent that claims passing tests it
 * never ran is counted as contradicted, an honest one is not, each under its backend, and the
 * summary shows the rate.
 */
class ClaimsFromARealCycleTest extends EngineTestBase {

  @Autowired LoggerRegistry loggers;
  @TempDir Path workspace;
  @TempDir Path progress;

  String project = "honesty-" + UUID.randomUUID().toString().substring(0, 6);

  void run(String task, String scenario) throws Exception {
    runCycle(
        new StepCycleService.CycleRequest(
            project,
            "RUN-" + task,
            Packs.stepPack(task, scenario),
            null,
            0,
            null,
            workspace.toString(),
            true));
  }

  Map<String, ClaimTally> claims(String task) {
    List<ChainEvent> events = loggers.logger(project).taskEvents(task);
    return ClaimsLedger.byBackendModel(
        events, n -> ("RUN-" + task).equals(n.path("run_id").asText()));
  }

  @Test
  void aLyingAgentLowersItsBackendsHonestyRate() throws Exception {
    run("H-LIE", "lie-tests-pass");
    run("H-OK", "pass");
    Map<String, ClaimTally> lie = claims("H-LIE");
    Map<String, ClaimTally> ok = claims("H-OK");
    assertThat(lie).containsOnlyKeys("mock/unknown");
    assertThat(lie.get("mock/unknown").reviewed()).isEqualTo(1);
    assertThat(lie.get("mock/unknown").contradicted()).isEqualTo(1);
    assertThat(lie.get("mock/unknown").claims()).isPositive();
    assertThat(ok).containsEntry("mock/unknown", new ClaimTally(1, 0, 0));
    assertThat(ClaimsLedger.byBackendModel(loggers.logger(project).taskEvents("H-OK"), n -> false))
        .as("the filter selects the cycle's reviews")
        .isEmpty();

    ScoreboardStore board = new ScoreboardStore(progress);
    Instant t = Instant.parse("2026-12-01T12:00:00Z");
    board.recordCycle(
        new CycleReport(
                t,
                "c1",
                "RUN-H-LIE",
                "H-LIE",
                CycleReport.Outcome.FAILED,
                0,
                "FAIL",
                "FAIL_CLAIM_MISMATCH",
                new QueueCounts(1, 0, 0, 1),
                10,
                Map.of())
            .withClaims(lie));
    board.recordCycle(
        new CycleReport(
                t,
                "c1",
                "RUN-H-OK",
                "H-OK",
                CycleReport.Outcome.COMPLETED,
                0,
                "PASS",
                "PASS_ALL_CRITERIA",
                new QueueCounts(0, 0, 1, 1),
                10,
                Map.of())
            .withClaims(ok));

    ClaimTally mock = board.read().claims().get("mock/unknown");
    assertThat(mock.reviewed()).isEqualTo(2);
    assertThat(mock.contradicted()).isEqualTo(1);
    assertThat(mock.honestyPercent()).isEqualTo(50.0);
    board.render(new QueueCounts(0, 0, 1, 1));
    assertThat(Files.readString(board.summaryFile()))
        .contains("## Claims contradicted by the workspace")
        .contains("**1 of 2** reviewed agent run(s)")
        .containsPattern("\\| mock/unknown \\| 2 \\| 1 \\| \\d+ \\| 50.0% \\|");
    assertThat(Files.readString(board.scoreboardFile())).contains("\"honesty_percent\" : 50.0");
  }
}
