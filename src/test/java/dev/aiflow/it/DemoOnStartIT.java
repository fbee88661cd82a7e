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
 * itself (its assets read from inside the jar), finishes it with an audit that reconciles, and does
 * not run it again on the next start.
 */
class DemoOnStartIT {

  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;

  @Test
  void aFreshServerRunsTheDemoCampaignOnce() throws Exception {
    Path data = tmp.resolve("data");
    String password = "it-" + System.nanoTime();
    try (AppProcess server = new AppProcess(data, password, List.of()).start()) {
      JsonNode campaign =
          Awaitility.await()
              .atMost(Duration.ofSeconds(120))
              .pollInterval(Duration.ofMillis(500))
              .until(
                  () -> JSON.readTree(server.get("/api/campaigns", true).body()),
                  list ->
                      list.size() == 1 && !"running".equals(list.get(0).path("state").asText()));
      JsonNode demo = campaign.get(0);
      assertThat(demo.path("businessKey").asText()).isEqualTo("demo");
      assertThat(demo.path("endReason").asText()).isEqualTo("queue_drained");
      assertThat(demo.path("cyclesDone").asInt()).isEqualTo(6);
      assertThat(demo.path("incidents")).isEmpty();

      TaskQueue q = new QueueStore(data.resolve("demo/demo/progress/task_queue.json")).read();
      assertThat(q.require("DEMO-1").status()).isEqualTo(TaskStatus.COMPLETED);
      assertThat(q.require("DEMO-2").status()).isEqualTo(TaskStatus.COMPLETED);
      assertThat(q.require("DEMO-3").status()).isEqualTo(TaskStatus.FAILED);
      assertThat(q.require("DEMO-4").lastReason()).contains("FAIL_SCOPE_VIOLATION");
      assertThat(q.require("DEMO-5").lastReason()).contains("SILENCE");
      assertThat(q.require("DEMO-6").status()).isEqualTo(TaskStatus.COMPLETED);

      JsonNode reconcile = JSON.readTree(server.get("/api/projects/demo/reconcile", true).body());
      assertThat(reconcile.path("attemptsWithoutHistory")).isEmpty();
      assertThat(reconcile.path("dispatchesWithoutAttempt")).isEmpty();
      assertThat(reconcile.path("attemptsInChain").asInt()).isGreaterThanOrEqualTo(9);
    }
    try (AppProcess again = new AppProcess(data, password, List.of()).start()) {
      Thread.sleep(2000); // time in which a second demo would have started
      assertThat(JSON.readTree(again.get("/api/campaigns", true).body())).hasSize(1);
    }
  }
}
