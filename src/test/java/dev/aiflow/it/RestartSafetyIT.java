package dev.aiflow.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.logger.ChainEvent;
import dev.aiflow.logger.WorkflowLogger;
import dev.aiflow.support.Packs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kill the server (SIGKILL) while an agent runs; after a restart the step is dispatched again once
 * the lock expires, the cycle completes, and the chain holds no duplicate attempt.
 */
class RestartSafetyIT {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String SHIM = Path.of("examples/orchestrator/mock-shim").toAbsolutePath().toString();

  @TempDir Path tmp;

  @Test
  void aKilledServerPicksTheStepUpAgainAndLogsItOnce() throws Exception {
    Path data = tmp.resolve("data");
    Path workspace = Files.createDirectories(tmp.resolve("ws"));
    String password = HexFormat.of().formatHex(SecureRandom.getInstanceStrong().generateSeed(16));
    List<String> args =
        List.of(
            "--aiflow.worker.shim=" + SHIM,
            "--aiflow.worker.lock-duration=4s",
            "--aiflow.worker.lock-margin=2s",
            "--aiflow.worker.poll-interval=200ms",
            "--aiflow.demo.on-start=false",
            "--aiflow.allowed-roots=" + tmp.toAbsolutePath());
    String pack = Packs.stepPack("K-1", "slow-once", 120, 3);
    String processInstance;
    Path marker = workspace.resolve(".artifacts/.mock-shim/slow-once-K-1");
    try (AppProcess first = new AppProcess(data, password, args).start()) {
      var start =
          first.post(
              "/engine-rest/process-definition/key/stepCycle/start",
              JSON.writeValueAsString(
                  Map.of(
                      "businessKey",
                      "RUN-K-1",
                      "variables",
                      Map.of(
                          "projectId", Map.of("value", "restart", "type", "String"),
                          "runId", Map.of("value", "RUN-K-1", "type", "String"),
                          "workspace", Map.of("value", workspace.toString(), "type", "String"),
                          "maxReworkRounds", Map.of("value", 0, "type", "Integer"),
                          "stepPack", AppProcess.jsonVar(pack)))));
      assertThat(start.statusCode()).as(start.body()).isEqualTo(200);
      processInstance = JSON.readTree(start.body()).path("id").asText();
      long deadline = System.currentTimeMillis() + 60_000;
      while (!Files.exists(marker) && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
      assertThat(marker).as("the agent started").exists();
      Thread.sleep(500);
      first.kill();
    }

    try (AppProcess second = new AppProcess(data, password, args).start()) {
      JsonNode instance = null;
      long deadline = System.currentTimeMillis() + 120_000;
      while (System.currentTimeMillis() < deadline) {
        instance =
            JSON.readTree(
                second
                    .get("/engine-rest/history/process-instance/" + processInstance, true)
                    .body());
        if ("COMPLETED".equals(instance.path("state").asText())) {
          break;
        }
        Thread.sleep(250);
      }
      assertThat(instance.path("state").asText()).isEqualTo("COMPLETED");
      var reconcile = JSON.readTree(second.get("/api/projects/restart/reconcile", true).body());
      assertThat(
              reconcile.path("attempts_without_history").size()
                  + reconcile.path("attemptsWithoutHistory").size())
          .isZero();
      assertThat(
              reconcile.path("dispatches_without_attempt").size()
                  + reconcile.path("dispatchesWithoutAttempt").size())
          .isZero();
    }

    List<ChainEvent> attempts =
        WorkflowLogger.readProjectEvents(data.resolve("workflow"), "restart").stream()
            .filter(e -> "attempt".equals(e.eventType()))
            .toList();
    assertThat(attempts).as("one attempt: the run that finished").hasSize(1);
    assertThat(JSON.readTree(attempts.get(0).json()).path("result").asText()).isEqualTo("PASS");
    assertThat(WorkflowLogger.verify(data.resolve("workflow"), "restart", null, null).ok())
        .isTrue();
    // the first agent ran in a PID namespace (its own pid means nothing here): look for any
    // process still running this task's shim, by command line, on the whole machine
    assertThat(shimsOf("K-1")).as("the first agent did not outlive its server for long").isEmpty();
  }

  /** Live processes whose command line runs the mock shim for {@code taskId}. */
  static List<String> shimsOf(String taskId) throws Exception {
    List<String> out = new java.util.ArrayList<>();
    try (var dirs = Files.list(Path.of("/proc"))) {
      for (Path d : dirs.toList()) {
        if (!d.getFileName().toString().matches("[0-9]+")) {
          continue;
        }
        try {
          String cmd = Files.readString(d.resolve("cmdline")).replace('\0', ' ');
          String stat = Files.readString(d.resolve("stat"));
          boolean zombie = stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
          if (!zombie && cmd.contains("mock-shim") && cmd.contains(taskId)) {
            out.add(d.getFileName() + " " + cmd);
          }
        } catch (java.io.IOException e) {
          // gone while we looked
        }
      }
    }
    return out;
  }
}
