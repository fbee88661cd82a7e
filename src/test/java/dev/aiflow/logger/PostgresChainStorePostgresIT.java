package dev.aiflow.logger;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.aiflow.support.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The store contract on PostgreSQL (a fresh database per test on the server {@code
 * AIFLOW_TEST_DB_URL} names; without one the test fails, it never skips), and the one promise only
 * two stores can show: the same appends give the same bytes in PostgreSQL as in a folder.
 */
class PostgresChainStorePostgresIT extends ChainStoreContract {

  TestDatabase.Server server;
  String database;
  final List<HikariDataSource> pools = new ArrayList<>();

  @BeforeEach
  void database() {
    server = TestDatabase.Server.configured();
    database = server.createDatabase("aiflow_chain_");
  }

  @AfterEach
  void drop() {
    pools.forEach(HikariDataSource::close);
    server.dropDatabase(database);
  }

  PostgresChains chains(Clock clock) {
    return new PostgresChains(pool());
  }

  HikariDataSource pool() {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(server.urlOf(database));
    config.setUsername(server.user());
    config.setPassword(server.password());
    config.setMaximumPoolSize(5);
    HikariDataSource ds = new HikariDataSource(config);
    pools.add(ds);
    return ds;
  }

  @Override
  Node node() {
    PostgresChains chains = chains(Clock.systemUTC());
    return projectId -> chains.openOrInit(projectId, LoggerOptions.defaults());
  }

  @Override
  Path writeOut(String projectId, Path root) {
    return chains(Clock.systemUTC()).materialize(projectId, root);
  }

  @Test
  void theSameAppendsGiveTheSameFilesAsAFolderProject() throws Exception {
    Clock clock = Clock.fixed(Instant.parse("2026-12-01T10:00:00.123Z"), ZoneOffset.UTC);
    LoggerOptions options = LoggerOptions.defaults().withClock(clock);
    Path folders = tmp.resolve("files");
    try (WorkflowLogger files = WorkflowLogger.openOrInit(folders, "same", options);
        WorkflowLogger pg = chains(clock).openOrInit("same", options)) {
      for (WorkflowLogger log : List.of(files, pg)) {
        log.logAttempt(Attempts.attempt("T-1", 0, 0));
        log.logTaskEvent("T-1", "qa_review", Map.of("verdict", "REWORK"), "review:1");
        log.logAttempt(Attempts.attempt("T-1", 0, 1));
        log.logAttempts(List.of(Attempts.attempt("T-2", 0, 0), Attempts.attempt("T-3", 0, 0)));
        log.logAttempt(
            withContent("T-2", 0, 1, "y".repeat(LoggerOptions.DEFAULT_INLINE_CONTENT_LIMIT + 1)));
        log.closeTask("T-1", "accepted", "done", "close:T-1");
        log.logProjectEvent("execution_started", Map.of("campaign", "C-1"));
      }
      assertThat(pg.head()).isEqualTo(files.head());
      assertThat(pg.taskIds()).containsExactlyInAnyOrderElementsOf(files.taskIds());
      for (String task : files.taskIds()) {
        assertThat(pg.taskEvents(task)).isEqualTo(files.taskEvents(task));
        assertThat(pg.task(task)).isEqualTo(files.task(task));
      }
      assertThat(pg.verifyProject(files.head()).ok()).isTrue();
      // task_log.md is a rendering, regenerated from the chain (the folder's grows section by
      // section as events come); compare like with like
      for (String task : files.taskIds()) {
        files.renderTaskLog(task);
      }
      assertThat(pg.projectDir()).isNull();
    }
    Path out = chains(clock).materialize("same", tmp.resolve("pg-out"));
    Path in = folders.resolve("same");
    assertThat(relativeFiles(out)).isEqualTo(relativeFiles(in));
    for (String f : relativeFiles(in)) {
      assertThat(Files.readAllBytes(out.resolve(f)))
          .as(f)
          .isEqualTo(Files.readAllBytes(in.resolve(f)));
    }
  }

  /**
   * Reconciliation reads the database itself, hashes recomputed from the stored bytes: a row
   * rewritten in place with its stated hash kept no longer matches the anchor of that hash.
   */
  @Test
  void recomputedHashesComeFromTheBytesInTheDatabase() throws Exception {
    PostgresChains chains = chains(Clock.systemUTC());
    String stated;
    try (WorkflowLogger log = chains.openOrInit("rewritten", LoggerOptions.defaults())) {
      stated = log.logAttempt(Attempts.attempt("T-1", 0, 0)).eventHash();
    }
    assertThat(chains.readProjectEvents("rewritten", true))
        .filteredOn(e -> "T-1".equals(e.taskId()))
        .singleElement()
        .satisfies(e -> assertThat(e.eventHash()).isEqualTo(stated));
    try (var c = pool().getConnection();
        var ps =
            c.prepareStatement(
                "UPDATE aiflow_chain_event SET line = convert_to(replace(convert_from(line,"
                    + " 'UTF8'), 'T-1', 'T-X'), 'UTF8') WHERE project_id = 'rewritten'"
                    + " AND task_id = 'T-1'")) {
      assertThat(ps.executeUpdate()).isEqualTo(1);
    }
    assertThat(chains.readProjectEvents("rewritten", false))
        .filteredOn(e -> "T-1".equals(e.taskId()))
        .singleElement()
        .satisfies(e -> assertThat(e.eventHash()).as("as the row states it").isEqualTo(stated));
    assertThat(chains.readProjectEvents("rewritten", true))
        .filteredOn(e -> "T-1".equals(e.taskId()))
        .singleElement()
        .satisfies(e -> assertThat(e.eventHash()).as("recomputed").isNotEqualTo(stated));
  }

  @Test
  void twoNodesInitialisingTogetherCreateTheProjectOnce() throws Exception {
    PostgresChains a = chains(Clock.systemUTC());
    PostgresChains b = chains(Clock.systemUTC());
    var first =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> a.init("together", LoggerOptions.defaults()));
    var second =
        java.util.concurrent.CompletableFuture.supplyAsync(
            () -> b.init("together", LoggerOptions.defaults()));
    assertThat(List.of(first.get(), second.get())).containsExactlyInAnyOrder(true, false);
    assertThat(a.readProjectEvents("together")).hasSize(1);
    assertThat(a.projectIds()).containsExactly("together");
  }

  @Test
  void eachNodesCopyInFilesFollowsTheOneChainInTheDatabase() throws Exception {
    Path rootA = tmp.resolve("node-a");
    Path rootB = tmp.resolve("node-b");
    PostgresChains a = new PostgresChains(pool(), rootA);
    PostgresChains b = new PostgresChains(pool(), rootB);
    try (WorkflowLogger onA = a.openOrInit("copy", LoggerOptions.defaults());
        WorkflowLogger onB = b.openOrInit("copy", LoggerOptions.defaults())) {
      onA.logAttempt(Attempts.attempt("T-1", 0, 0));
      onB.logAttempt(
          withContent("T-2", 0, 0, "z".repeat(LoggerOptions.DEFAULT_INLINE_CONTENT_LIMIT + 5)));
      onA.closeTask("T-1", "accepted", "done");
      onB.head(); // B reads what A appended
      onA.head();
      for (Path root : List.of(rootA, rootB)) {
        VerificationReport report = WorkflowLogger.verify(root, "copy", null, null);
        assertThat(report.problems()).as(root.toString()).isEmpty();
        assertThat(report.events()).isEqualTo(4);
        assertThat(root.resolve("copy/tasks/T-2/artifacts/code_content_R0_S0.txt")).exists();
      }
      assertThat(Files.readAllBytes(rootB.resolve("copy/events.jsonl")))
          .isEqualTo(Files.readAllBytes(rootA.resolve("copy/events.jsonl")));
    }
    // a copy that no longer matches the database (here: tampered) is written out again
    Path events = rootB.resolve("copy/events.jsonl");
    Files.writeString(events, Files.readString(events).replace("PASS_ALL", "FAIL_ALL"));
    PostgresChains restarted = new PostgresChains(pool(), rootB);
    try (WorkflowLogger again = restarted.open("copy", LoggerOptions.defaults())) {
      again.logTaskEvent("T-2", "note", Map.of("n", 1), null);
    }
    assertThat(WorkflowLogger.verify(rootB, "copy", null, null).problems()).isEmpty();
    assertThat(WorkflowLogger.readProjectEvents(rootB, "copy")).hasSize(5);
  }

  static List<String> relativeFiles(Path dir) throws Exception {
    try (Stream<Path> all = Files.walk(dir)) {
      return all.filter(Files::isRegularFile)
          .map(p -> dir.relativize(p).toString())
          .filter(p -> !p.equals(".lock")) // the file store's lock file, never exported
          .sorted()
          .toList();
    }
  }
}
