package dev.aiflow.cli;

import static dev.aiflow.cli.RunCycleCommandTest.aiflow;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.cli.RunCycleCommandTest.Run;
import dev.aiflow.scoreboard.ScoreboardStore;
import dev.aiflow.triage.QueueStore;
import dev.aiflow.triage.TaskQueue;
import dev.aiflow.triage.TaskStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code aiflow demo} end to end: every demo task ends the way the demo promises. */
class DemoCommandTest {

  @TempDir Path tmp;

  @Test
  void theDemoRunsEveryPathAndItsAuditIsClean() throws Exception {
    Path data = tmp.resolve("data");

    Run run = aiflow("demo", "--data-dir", data.toString());

    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    TaskQueue q = new QueueStore(data.resolve("demo/demo/progress/task_queue.json")).read();
    assertThat(q.require("DEMO-1").status()).isEqualTo(TaskStatus.COMPLETED);
    assertThat(q.require("DEMO-1").lastReason()).doesNotContain("rework");
    assertThat(q.require("DEMO-2").status()).isEqualTo(TaskStatus.COMPLETED);
    assertThat(q.require("DEMO-2").lastReason()).contains("after 1 rework round(s)");
    assertThat(q.require("DEMO-3").status()).isEqualTo(TaskStatus.FAILED);
    assertThat(q.require("DEMO-3").lastReason()).contains("after 1 rework round(s)");
    assertThat(q.require("DEMO-4").status()).isEqualTo(TaskStatus.FAILED);
    assertThat(q.require("DEMO-4").lastReason()).contains("FAIL_SCOPE_VIOLATION");
    assertThat(q.require("DEMO-5").status()).isEqualTo(TaskStatus.FAILED);
    assertThat(q.require("DEMO-5").lastReason()).contains("the agent's last run: SILENCE");
    assertThat(q.require("DEMO-6").status()).isEqualTo(TaskStatus.COMPLETED);
    assertThat(run.out())
        .contains("chain: verified")
        .contains("history: the chain and Camunda's history agree")
        .contains("/camunda/app/cockpit/default/#/aiflow/campaigns/");
    var board = new ScoreboardStore(data.resolve("demo/demo/progress"));
    assertThat(board.read().cycles()).isEqualTo(6);
    assertThat(Files.readString(board.summaryFile())).contains("3 of 6 tasks completed");
    // the agents worked on the copy, not on examples/orchestrator
    assertThat(Path.of("examples/orchestrator/workspace/.artifacts")).doesNotExist();
    assertThat(Files.readString(Path.of("examples/orchestrator/workspace/src/greeting.txt")))
        .contains("status: todo");

    Run second = aiflow("demo", "--data-dir", data.toString());
    assertThat(second.exit()).as(second.out() + second.err()).isZero();
    assertThat(second.out()).contains("demo project demo-2");
  }
}
