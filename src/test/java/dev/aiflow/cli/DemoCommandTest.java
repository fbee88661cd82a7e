package dev.aiflow.cli;

import static dev.aiflow.cli.RunCycleCommandTest.aiflow;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.cli.RunCycleCommandTest.Run;
import dev.aiflow.scoreboard.ScoreboardStore;
import dev.aiflow.triage.QueueStore;
import dev.aiflow.triage.TaskQueue;
import dev.aiflow.triage.TaskStatus;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.camunda.bpm.engine.HistoryService;
import org.camunda.bpm.engine.TaskService;
import org.camunda.bpm.engine.history.HistoricProcessInstance;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code aiflow demo} end to end: every demo task ends the way the demo promises, on the built-in
 * shim with the fake agent CLIs, two tasks at a time, and one task left waiting for a person.
 */
class DemoCommandTest {

  @TempDir Path tmp;

  @Test
  void theDemoRunsEveryPathLeavesOneDecisionWaitingAndItsAuditIsClean() throws Exception {
    Path data = tmp.resolve("data");

    long started = System.nanoTime();
    Run run = aiflow("demo", "--data-dir", data.toString());
    long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);

    assertThat(run.exit()).as(run.out() + run.err()).isZero();
    assertThat(seconds).as("the demo stays short").isLessThan(120);
    TaskQueue q = new QueueStore(data.resolve("demo/demo/progress/task_queue.json")).read();
    String tasks =
        q.tasks().stream()
            .map(t -> t.key() + " " + t.status() + " " + t.lastReason())
            .collect(java.util.stream.Collectors.joining("\n"));
    // on a failure, what each task ended with and what the demo printed
    String why = tasks + "\n" + run.out() + run.err();
    assertThat(q.require("DEMO-1").status()).as(why).isEqualTo(TaskStatus.COMPLETED);
    assertThat(q.require("DEMO-1").lastReason()).doesNotContain("rework");
    assertThat(q.require("DEMO-2").status()).as(why).isEqualTo(TaskStatus.COMPLETED);
    assertThat(q.require("DEMO-2").lastReason()).contains("after 1 rework round(s)");
    // DEMO-3 ran out of rework: it waits for a person, its campaign with it
    assertThat(q.require("DEMO-3").status()).as(why).isEqualTo(TaskStatus.IN_PROGRESS);
    assertThat(q.require("DEMO-4").status()).as(why).isEqualTo(TaskStatus.FAILED);
    assertThat(q.require("DEMO-4").lastReason()).contains("FAIL_SCOPE_VIOLATION");
    assertThat(q.require("DEMO-5").status()).as(why).isEqualTo(TaskStatus.FAILED);
    assertThat(q.require("DEMO-5").lastReason()).contains("the agent's last run: SILENCE");
    assertThat(q.require("DEMO-6").status()).as(why).isEqualTo(TaskStatus.COMPLETED);
    // the liar: claimed PASS, the kernel's re-run said otherwise
    assertThat(q.require("DEMO-7").status()).as(why).isEqualTo(TaskStatus.FAILED);
    assertThat(q.require("DEMO-7").lastReason()).contains("FAIL_CLAIM_MISMATCH");
    assertThat(run.out())
        .contains("the campaign waits for a person")
        .contains("DEMO-3 waits for your decision")
        .contains("/camunda/app/tasklist/default/#/?task=")
        .contains("/camunda/app/cockpit/default/#/process-instance/")
        .contains("chain: verified")
        .contains("history: the chain and Camunda's history agree")
        .contains("/camunda/app/cockpit/default/#/aiflow/campaigns/");
    var board = new ScoreboardStore(data.resolve("demo/demo/progress"));
    assertThat(board.read().cycles()).isEqualTo(6);
    String summary = Files.readString(board.summaryFile());
    assertThat(summary).contains("3 of 7 tasks completed").contains("FAIL_CLAIM_MISMATCH");
    assertThat(summary).containsPattern("claude/[^|]+\\| 4 \\| 3 \\|");
    // what the agents reported they spent, summed from the chain per backend
    assertThat(board.read().spend().total().tokens()).isPositive();
    assertThat(board.read().spend().byBackendModel().keySet())
        .anySatisfy(k -> assertThat(k).startsWith("codex/"))
        .anySatisfy(k -> assertThat(k).startsWith("gemini/"));
    // the agents were the fakes, run by the built-in shim with their own logins
    Path evidence = data.resolve("demo/demo/workspace/.artifacts");
    assertThat(dispatchRecords(evidence))
        .isNotEmpty()
        .allSatisfy(
            d ->
                assertThat(d)
                    .contains("dev.aiflow.AiflowMain shim --settings-file=")
                    .contains("\"outcome\""));
    assertThat(dispatchRecords(evidence).stream().map(DemoCommandTest::backend))
        .contains("claude", "codex", "gemini");
    // the agents worked on the copy, not on examples/orchestrator
    assertThat(Path.of("examples/orchestrator/workspace/.artifacts")).doesNotExist();
    assertThat(Files.readString(Path.of("examples/orchestrator/workspace/src/greeting.txt")))
        .contains("status: todo");

    try (EngineContext engine = EngineContext.start(data, Map.of())) {
      HistoryService history = engine.bean(HistoryService.class);
      HistoricProcessInstance campaign =
          history
              .createHistoricProcessInstanceQuery()
              .processDefinitionKey("campaign")
              .singleResult();
      assertThat(campaign.getEndTime()).as("the campaign waits, running").isNull();
      List<HistoricProcessInstance> cycles =
          history
              .createHistoricProcessInstanceQuery()
              .superProcessInstanceId(campaign.getId())
              .list();
      assertThat(cycles).hasSize(7);
      assertThat(overlapping(cycles)).as("two step cycles ran at once").isTrue();
      assertThat(
              engine
                  .bean(TaskService.class)
                  .createTaskQuery()
                  .taskDefinitionKey("UserTask_DecideEscalation")
                  .list())
          .singleElement()
          .satisfies(t -> assertThat(t.getName()).isNotBlank());
    }

    Run second = aiflow("demo", "--data-dir", data.toString());
    assertThat(second.exit()).as(second.out() + second.err()).isZero();
    assertThat(second.out()).contains("demo project demo-2");
  }

  @Test
  void aDataDirectoryHeldByAnotherEngineIsRefusedInOneLineAndNothingIsLeftBehind()
      throws Exception {
    Path data = tmp.resolve("data");
    Files.createDirectories(data);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    Process holder =
        new ProcessBuilder(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                EngineHolder.class.getName(),
                data.toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      BufferedReader lines =
          new BufferedReader(
              new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = lines.readLine()) != null && !line.equals("ready")) {
        // the engine's start-up banner
      }
      assertThat(line).as("the second engine started").isEqualTo("ready");

      Run run = aiflow("demo", "--data-dir", data.toString());

      assertThat(run.exit()).as(run.out() + run.err()).isEqualTo(2);
      assertThat(run.err().strip()).doesNotContain("\n").contains("is in use by another aiflow");
      assertThat(run.out()).doesNotContain("Exception").doesNotContain("\tat ");
      assertThat(data.resolve("demo")).doesNotExist();
    } finally {
      holder.getOutputStream().close();
      if (!holder.waitFor(30, TimeUnit.SECONDS)) {
        holder.destroyForcibly().waitFor();
      }
    }
  }

  private static List<String> dispatchRecords(Path evidence) throws Exception {
    List<String> out = new ArrayList<>();
    try (var files = Files.walk(evidence)) {
      for (Path p : files.filter(p -> p.endsWith("dispatch.json")).toList()) {
        out.add(Files.readString(p));
      }
    }
    return out;
  }

  private static String backend(String dispatchJson) {
    int at = dispatchJson.indexOf("\"backend\" : \"");
    return at < 0 ? "" : dispatchJson.substring(at + 13, dispatchJson.indexOf('"', at + 13));
  }

  private static boolean overlapping(List<HistoricProcessInstance> cycles) {
    for (HistoricProcessInstance a : cycles) {
      for (HistoricProcessInstance b : cycles) {
        if (a != b && a.getEndTime() != null && b.getEndTime() != null) {
          Instant as = a.getStartTime().toInstant();
          Instant ae = a.getEndTime().toInstant();
          Instant bs = b.getStartTime().toInstant();
          Instant be = b.getEndTime().toInstant();
          if (as.isBefore(be) && bs.isBefore(ae)) {
            return true;
          }
        }
      }
    }
    return false;
  }
}
