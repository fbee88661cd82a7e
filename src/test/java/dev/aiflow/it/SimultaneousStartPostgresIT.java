package dev.aiflow.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.aiflow.support.TestDatabase;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two packaged aiflow servers started at the same moment on one empty PostgreSQL database (issue
 * 19): without the start-up lock one of them died creating Camunda's schema ({@code ENGINE-03015}).
 * Both must come up healthy and serve, with one deployment and one version of each model, and one
 * administrator and one set of aiflow's groups. Runs with {@code -Ppostgres} (docs/operations.md).
 */
class SimultaneousStartPostgresIT {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String ADMIN_PW = "simultaneous-start-pw";

  @TempDir Path dir;

  @Test
  void twoNodesStartedTogetherOnAnEmptyDatabaseBothComeUpWithOneDeployment() throws Exception {
    TestDatabase.Server server = TestDatabase.Server.configured();
    String database = server.createDatabase("aiflow_it_");
    List<AppProcess> nodes = new ArrayList<>();
    ExecutorService starter = Executors.newFixedThreadPool(2);
    try {
      Map<String, String> env =
          Map.of(
              "AIFLOW_DB_URL", server.urlOf(database),
              "AIFLOW_DB_USER", server.user(),
              "AIFLOW_DB_PASSWORD", server.password());
      for (String name : List.of("a", "b")) {
        Path data = Files.createDirectories(dir.resolve(name)).resolve("data");
        nodes.add(
            new AppProcess(
                data,
                ADMIN_PW,
                List.of("--spring.profiles.active=postgres", "--aiflow.demo.on-start=false"),
                env));
      }
      CountDownLatch go = new CountDownLatch(1);
      List<Future<AppProcess>> started = new ArrayList<>();
      for (AppProcess node : nodes) {
        started.add(
            starter.submit(
                () -> {
                  go.await();
                  return node.start();
                }));
      }
      go.countDown();
      for (Future<AppProcess> f : started) {
        f.get(); // rethrows "the server exited with 1; see server.log" when a node died
      }

      for (AppProcess node : nodes) {
        assertThat(node.get("/actuator/health", false).statusCode()).isEqualTo(200);
        // each node serves aiflow's API and Camunda's, with the shared administrator
        assertThat(node.get("/api/campaigns", true).statusCode()).isEqualTo(200);
        for (String key : List.of("campaign", "stepCycle", "requirementsFreeze")) {
          JsonNode defs = json(node.get("/engine-rest/process-definition?key=" + key, true));
          assertThat(defs).as(key).hasSize(1);
          assertThat(defs.get(0).path("version").asInt()).as(key).isEqualTo(1);
        }
        assertThat(json(node.get("/engine-rest/decision-definition?key=tierRouting", true)))
            .hasSize(1);
        assertThat(json(node.get("/engine-rest/deployment/count", true)).path("count").asInt())
            .isEqualTo(1);
        assertThat(json(node.get("/engine-rest/user/count?id=admin", true)).path("count").asInt())
            .isEqualTo(1);
        assertThat(
                json(node.get("/engine-rest/group/count?id=aiflow-operators", true))
                    .path("count")
                    .asInt())
            .isEqualTo(1);
      }
      List<Instant[]> held = new ArrayList<>();
      for (String name : List.of("a", "b")) {
        String log = Files.readString(dir.resolve(name).resolve("server.log"));
        assertThat(log).doesNotContain("ENGINE-03015").doesNotContain("duplicate key");
        held.add(
            new Instant[] {
              loggedAt(log, "holding the start-up lock"),
              loggedAt(log, "released the start-up lock")
            });
      }
      // each node held the lock for its start-up, one after the other
      Instant[] first = held.get(0)[0].isBefore(held.get(1)[0]) ? held.get(0) : held.get(1);
      Instant[] second = first == held.get(0) ? held.get(1) : held.get(0);
      assertThat(first[1]).isBeforeOrEqualTo(second[0]);
    } finally {
      starter.shutdownNow();
      for (AppProcess node : nodes) {
        node.close();
      }
      server.dropDatabase(database);
    }
  }

  /** When the first line containing {@code text} was logged (Spring Boot's ISO timestamp). */
  private static Instant loggedAt(String log, String text) {
    return log.lines()
        .filter(l -> l.contains(text))
        .findFirst()
        .map(l -> OffsetDateTime.parse(l.substring(0, l.indexOf(' '))).toInstant())
        .orElseThrow(() -> new AssertionError("no '" + text + "' in the server log"));
  }

  private static JsonNode json(HttpResponse<String> response) throws Exception {
    assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
    return JSON.readTree(response.body());
  }
}
