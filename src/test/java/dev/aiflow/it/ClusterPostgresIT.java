package dev.aiflow.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.aiflow.config.AiflowProperties;
import dev.aiflow.engine.dispatch.RemoteDispatchWorker;
import dev.aiflow.engine.dispatch.WorkerKernel;
import dev.aiflow.logger.ChainEvent;
import dev.aiflow.logger.PostgresChains;
import dev.aiflow.logger.WorkflowLogger;
import dev.aiflow.support.Queues;
import dev.aiflow.support.Queues.Item;
import dev.aiflow.support.TestDatabase;
import dev.aiflow.triage.QueueStore;
import dev.aiflow.triage.TaskStatus;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two aiflow servers on one PostgreSQL with the chain store there ({@code aiflow.store=postgres}),
 * the engine's job executor on both and the agents in two remote workers (Camunda's external task
 * client, one fetching from each node; the nodes' in-process workers are off): a campaign of 50
 * tasks started on node A over REST; A is killed (SIGKILL) mid-campaign; A's worker reconnects to
 * B, and node B and both workers finish it once A's job and external-task locks expire. Each step
 * is verified by the worker whose kernel dispatched it. Every task completed exactly once, one
 * attempt per task in the chain, the chain in the database is linear and verifies, reconcile on B
 * is clean, and Cockpit on B (the aiflow plugin, through the webapp's own login) shows the
 * campaign. The queue and the scoreboard are in the database as well (SharedFiles); the nodes run
 * on one machine, so they also see each other's copies: SharedFilesPostgresIT shows the database
 * alone carrying them between data directories. The workspace is on the workers' side only: both
 * nodes run under bubblewrap with an empty folder over it, so every QA review and rework is judged
 * from what the verifications handed over. The figures are printed and kept in docs/performance.md
 * ("Two nodes").
 */
class ClusterPostgresIT {

  static final ObjectMapper JSON = new ObjectMapper();
  static final String SHIM = Path.of("examples/orchestrator/mock-shim").toAbsolutePath().toString();
  static final int TASKS = 50;

  @TempDir Path dir;

  @Test
  void nodeBFinishesTheCampaignNodeAStartedAfterAIsKilled() throws Exception {
    String password =
        java.util.HexFormat.of()
            .formatHex(java.security.SecureRandom.getInstanceStrong().generateSeed(16));
    TestDatabase.Server server = TestDatabase.Server.configured();
    String database = server.createDatabase("aiflow_cluster_");
    Map<String, String> env = new HashMap<>();
    env.put("AIFLOW_DB_URL", server.urlOf(database));
    env.put("AIFLOW_DB_USER", server.user());
    env.put("AIFLOW_DB_PASSWORD", server.password());
    env.put("AIFLOW_STORE", "postgres");
    env.put("AIFLOW_JOB_LOCK_TIME_MS", "10000"); // a dead node's jobs run elsewhere after 10 s
    List<String> args =
        List.of(
            "--spring.profiles.active=postgres",
            "--aiflow.demo.on-start=false",
            "--aiflow.worker.shim=" + SHIM,
            "--aiflow.worker.lock-duration=5s",
            "--aiflow.worker.lock-margin=1s",
            "--aiflow.worker.poll-interval=200ms",
            "--aiflow.worker.in-process=false",
            "--aiflow.allowed-roots=" + dir.toAbsolutePath());
    Path shared = Files.createDirectories(dir.resolve("shared"));
    Path queue = shared.resolve("task_queue.json");
    List<Item> items = new ArrayList<>();
    for (int i = 1; i <= TASKS; i++) {
      items.add(Item.of("C-%02d".formatted(i), i, "pass"));
    }
    String packs = Queues.write(queue, 3, items, 60, 10);
    // the workers' machine: the nodes see an empty folder there (AppProcess.hiding), so the
    // campaign shows that no node needs the workspace, the QA gate included
    Path workersOnly = Files.createDirectories(dir.resolve("workers-only"));
    Path ws = workersOnly.resolve("ws");
    Queues.seedWorkspace(ws, items);

    AppProcess a =
        new AppProcess(
                Files.createDirectories(dir.resolve("a")).resolve("data"), password, args, env)
            .hiding(workersOnly);
    AppProcess b =
        new AppProcess(
                Files.createDirectories(dir.resolve("b")).resolve("data"), password, args, env)
            .hiding(workersOnly);
    HikariDataSource pool = null;
    List<RemoteDispatchWorker> workers = new ArrayList<>();
    try {
      a.start();
      b.start();
      workers.add(remoteWorker(a, password, "worker-1"));
      workers.add(remoteWorker(b, password, "worker-2"));
      ObjectNode request = JSON.createObjectNode();
      request.put("projectId", "cluster");
      request.put("queuePath", queue.toString());
      request.set("stepPacks", JSON.readTree(packs));
      request.put("workspace", ws.toString());
      request
          .putObject("options")
          .put("maxCycles", 200)
          .put("maxReworkRounds", 0)
          .put("skipBackendHealthCheck", true);
      long started = System.nanoTime();
      var created = a.post("/api/campaigns", request.toString());
      assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
      String id = JSON.readTree(created.body()).path("id").asText();

      // both nodes run jobs and dispatches until A dies, a fifth of the way in
      long deadline = System.currentTimeMillis() + 300_000;
      while (completed(queue, items) < TASKS / 5 && System.currentTimeMillis() < deadline) {
        Thread.sleep(100);
      }
      int before = completed(queue, items);
      String seen = before < TASKS / 5 ? b.get("/api/campaigns/" + id, true).body() : "";
      assertThat(before)
          .as(
              () ->
                  "tasks completed before the kill\n"
                      + a.problems(40)
                      + "\n"
                      + b.problems(40)
                      + "\nthe campaign on B: "
                      + seen)
          .isGreaterThanOrEqualTo(TASKS / 5);
      long killed = System.nanoTime();
      a.kill();
      double twoNodes = before / ((killed - started) / 1e9);
      // worker 1 reconnects to the node that is left, as it would behind a load balancer: with its
      // own kernel folder, so it keeps its kernel id and verifies the steps it dispatched
      workers.get(0).close();
      workers.set(0, remoteWorker(b, password, "worker-1"));

      long firstAfter = 0;
      JsonNode campaign = null;
      deadline = System.currentTimeMillis() + 600_000;
      while (System.currentTimeMillis() < deadline) {
        if (firstAfter == 0 && completed(queue, items) > before) {
          firstAfter = System.nanoTime();
        }
        campaign = JSON.readTree(b.get("/api/campaigns/" + id, true).body());
        if (!"running".equals(campaign.path("state").asText())) {
          break;
        }
        Thread.sleep(250);
      }
      long finished = System.nanoTime();
      assertThat(campaign.path("state").asText()).as(campaign.toString()).isEqualTo("completed");
      assertThat(completed(queue, items)).isEqualTo(TASKS);
      double oneNode = (TASKS - before) / ((finished - firstAfter) / 1e9);
      System.out.printf(
          "cluster: %d tasks; two nodes %.2f tasks/s before the kill (%d done), node B alone %.2f"
              + " tasks/s; first task completed %.1f s after the kill; campaign done %.1f s after"
              + " the kill%n",
          TASKS, twoNodes, before, oneNode, (firstAfter - killed) / 1e9, (finished - killed) / 1e9);

      // the one chain, from the database
      HikariConfig config = new HikariConfig();
      config.setJdbcUrl(server.urlOf(database));
      config.setUsername(server.user());
      config.setPassword(server.password());
      config.setMaximumPoolSize(2);
      pool = new HikariDataSource(config);
      PostgresChains chains = new PostgresChains(pool);
      Path out = chains.materialize("cluster", dir.resolve("export"));
      var report = WorkflowLogger.verify(out.getParent(), "cluster", null, null);
      assertThat(report.problems()).isEmpty();
      List<ChainEvent> events = chains.readProjectEvents("cluster");
      for (int i = 0; i < events.size(); i++) {
        assertThat(events.get(i).seq()).isEqualTo(i + 1); // linear: no gap, no fork
      }
      for (Item item : items) {
        List<ChainEvent> ofTask =
            events.stream().filter(e -> item.key().equals(e.taskId())).toList();
        assertThat(ofTask.stream().filter(e -> "attempt".equals(e.eventType())))
            .as("attempts of " + item.key())
            .hasSize(1);
        assertThat(ofTask.stream().filter(e -> "task_closed".equals(e.eventType())))
            .as("closings of " + item.key())
            .hasSize(1);
      }
      // the queue's record is the database's row, not a file: every task completed there
      try (var c = pool.getConnection();
          var ps =
              c.prepareStatement("SELECT content FROM aiflow_shared_file WHERE file_key = ?")) {
        ps.setString(1, "file:" + queue.toAbsolutePath().normalize());
        try (var rs = ps.executeQuery()) {
          assertThat(rs.next()).as("the queue's row in aiflow_shared_file").isTrue();
          JsonNode recorded = JSON.readTree(rs.getBytes(1));
          assertThat(recorded.path("tasks"))
              .hasSize(TASKS)
              .allSatisfy(t -> assertThat(t.path("status").asText()).isEqualTo("completed"));
        }
      }
      JsonNode reconcile = JSON.readTree(b.get("/api/projects/cluster/reconcile", true).body());
      assertThat(reconcile.path("attemptsInChain").asInt())
          .as(reconcile.toString())
          .isEqualTo(TASKS);
      assertThat(reconcile.path("attemptsWithoutHistory")).as(reconcile.toString()).isEmpty();
      assertThat(reconcile.path("dispatchesWithoutAttempt")).as(reconcile.toString()).isEmpty();
      // Camunda's own REST on B shows the campaign A started
      JsonNode history =
          JSON.readTree(b.get("/engine-rest/history/process-instance/" + id, true).body());
      assertThat(history.path("state").asText()).isEqualTo("COMPLETED");
      // and so does Cockpit on B, through aiflow's plugin behind the webapp's session login
      var cockpit = b.webappGet("cockpit", "/camunda/api/cockpit/plugin/aiflow/default/campaigns");
      assertThat(cockpit.statusCode()).as(cockpit.body()).isEqualTo(200);
      assertThat(JSON.readTree(cockpit.body()))
          .as(cockpit.body())
          .anySatisfy(
              c -> {
                assertThat(c.path("id").asText()).isEqualTo(id);
                assertThat(c.path("state").asText()).isEqualTo("completed");
              });
    } finally {
      for (RemoteDispatchWorker w : workers) {
        w.close();
      }
      a.close();
      b.close();
      if (pool != null) {
        pool.close();
      }
      server.dropDatabase(database);
    }
  }

  /** A remote worker with its kernel state in {@code name}, fetching from {@code node}. */
  RemoteDispatchWorker remoteWorker(AppProcess node, String password, String name)
      throws Exception {
    AiflowProperties.Worker config =
        new AiflowProperties.Worker(
            SHIM,
            false,
            4,
            Duration.ofSeconds(5),
            Duration.ofSeconds(1),
            3,
            Duration.ofSeconds(1),
            Duration.ofMillis(200),
            Duration.ofMillis(300),
            Map.of(),
            Map.of());
    Path own = Files.createDirectories(dir.resolve(name));
    return RemoteDispatchWorker.start(
        node.engineRest(),
        "admin",
        password,
        config,
        null,
        null,
        WorkerKernel.of(
            new AiflowProperties(own, null, config, null, null, null, null, false, null, null)));
  }

  static int completed(Path queue, List<Item> items) {
    try {
      var q = new QueueStore(queue).read();
      int n = 0;
      for (Item i : items) {
        if (q.require(i.key()).status() == TaskStatus.COMPLETED) {
          n++;
        }
      }
      return n;
    } catch (RuntimeException e) {
      return 0; // being rewritten
    }
  }
}
