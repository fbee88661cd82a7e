package dev.aiflow.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.triage.QueueStore;
import dev.aiflow.triage.TaskQueue;
import dev.aiflow.triage.TaskStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's run command on a fresh data directory: the packaged server runs the demo campaign by
 * itself (its assets read from inside the jar, its agents the fake CLIs behind the built-in shim),
 * and a fresh user finds it waiting on a person: a running instance with one Tasklist task
 * (DEMO-3's rework ran out) while the rest of the queue finished around it. Deciding the task lets
 * the campaign end; the next start does not run the demo again.
 */
class DemoOnStartIT {

  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void aFreshServerRunsTheDemoCampaignOnceAndLeavesADecisionWaiting() throws Exception {
    Path data = tmp.resolve("data");
    String password = "it-" + System.nanoTime();
    try (AppProcess server = new AppProcess(data, password, List.of()).start()) {
      JsonNode waiting =
          Awaitility.await()
              .atMost(Duration.ofSeconds(180))
              .pollInterval(Duration.ofMillis(500))
              .until(
                  () ->
                      JSON.readTree(
                          server
                              .get(
                                  "/engine-rest/task?taskDefinitionKey=UserTask_DecideEscalation",
                                  true)
                              .body()),
                  list -> list.size() == 1);
      JsonNode campaign =
          Awaitility.await()
              .atMost(Duration.ofSeconds(120))
              .pollInterval(Duration.ofMillis(500))
              .until(
                  () -> JSON.readTree(server.get("/api/campaigns", true).body()).get(0),
                  c -> c.path("cyclesDone").asInt() == 6);
      assertThat(campaign.path("businessKey").asText()).isEqualTo("demo");
      assertThat(campaign.path("state").asText()).isEqualTo("running");
      assertThat(campaign.path("incidents")).isEmpty();
      // Cockpit's own view of running instances shows it
      assertThat(
              JSON.readTree(
                  server
                      .get("/engine-rest/process-instance?processDefinitionKey=campaign", true)
                      .body()))
          .hasSize(1);

      TaskQueue q = new QueueStore(data.resolve("demo/demo/progress/task_queue.json")).read();
      assertThat(q.require("DEMO-1").status()).isEqualTo(TaskStatus.COMPLETED);
      assertThat(q.require("DEMO-2").status()).isEqualTo(TaskStatus.COMPLETED);
      assertThat(q.require("DEMO-3").status()).isEqualTo(TaskStatus.IN_PROGRESS);
      assertThat(q.require("DEMO-4").lastReason()).contains("FAIL_SCOPE_VIOLATION");
      assertThat(q.require("DEMO-5").lastReason()).contains("SILENCE");
      assertThat(q.require("DEMO-6").status()).isEqualTo(TaskStatus.COMPLETED);
      assertThat(q.require("DEMO-7").lastReason()).contains("FAIL_CLAIM_MISMATCH");

      // a person decides in Tasklist (here over its REST API): the campaign goes on and ends
      String task = waiting.get(0).path("id").asText();
      var done =
          server.post(
              "/engine-rest/task/" + task + "/complete",
              "{\"variables\": {\"escalationDecision\": {\"value\": \"fail\"},"
                  + " \"escalationReason\": {\"value\": \"it: the migration waits for the"
                  + " DBA\"}}}");
      assertThat(done.statusCode()).as(done.body()).isEqualTo(204);
      JsonNode ended =
          Awaitility.await()
              .atMost(Duration.ofSeconds(60))
              .pollInterval(Duration.ofMillis(500))
              .until(
                  () -> JSON.readTree(server.get("/api/campaigns", true).body()).get(0),
                  c -> !"running".equals(c.path("state").asText()));
      assertThat(ended.path("endReason").asText()).isEqualTo("queue_drained");
      assertThat(ended.path("cyclesDone").asInt()).isEqualTo(7);
      assertThat(
              new QueueStore(data.resolve("demo/demo/progress/task_queue.json"))
                  .read()
                  .require("DEMO-3")
                  .status())
          .isEqualTo(TaskStatus.FAILED);

      JsonNode reconcile = JSON.readTree(server.get("/api/projects/demo/reconcile", true).body());
      assertThat(reconcile.path("attemptsWithoutHistory")).isEmpty();
      assertThat(reconcile.path("dispatchesWithoutAttempt")).isEmpty();
      assertThat(reconcile.path("attemptsInChain").asInt()).isGreaterThanOrEqualTo(11);
    }
    try (AppProcess again = new AppProcess(data, password, List.of()).start()) {
      Thread.sleep(2000); // time in which a second demo would have started
      assertThat(JSON.readTree(again.get("/api/campaigns", true).body())).hasSize(1);
    }
  }
}
