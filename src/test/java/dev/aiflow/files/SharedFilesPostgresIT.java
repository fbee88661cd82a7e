package dev.aiflow.files;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.aiflow.campaign.QueueOwner;
import dev.aiflow.sessionlog.SessionEvent;
import dev.aiflow.sessionlog.SessionLog;
import dev.aiflow.support.Queues;
import dev.aiflow.support.Queues.Item;
import dev.aiflow.support.TestDatabase;
import dev.aiflow.triage.QueueStore;
import dev.aiflow.triage.TaskStatus;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes, each with a data directory of its own and no folder in common, share the queue, the
 * queue's owner, the session log and any locked file through one PostgreSQL database (a fresh one
 * per test on the server {@code AIFLOW_TEST_DB_URL} names; without one the test fails, it never
 * skips). Each node is a {@link PostgresSharedFiles} of its own, played by its own thread.
 */
class SharedFilesPostgresIT {

  @TempDir Path tmp;
  TestDatabase.Server server;
  String database;
  final List<HikariDataSource> pools = new ArrayList<>();
  Path dataA;
  Path dataB;
  PostgresSharedFiles a;
  PostgresSharedFiles b;

  @BeforeEach
  void nodes() throws Exception {
    server = TestDatabase.Server.configured();
    database = server.createDatabase("aiflow_shared_");
    dataA = Files.createDirectories(tmp.resolve("a/data"));
    dataB = Files.createDirectories(tmp.resolve("b/data"));
    a = new PostgresSharedFiles(pool(), dataA);
    b = new PostgresSharedFiles(pool(), dataB);
  }

  @AfterEach
  void drop() {
    pools.forEach(HikariDataSource::close);
    server.dropDatabase(database);
  }

  HikariDataSource pool() {
    HikariConfig config = new HikariConfig();
    config.setJdbcUrl(server.urlOf(database));
    config.setUsername(server.user());
    config.setPassword(server.password());
    config.setMaximumPoolSize(4);
    HikariDataSource ds = new HikariDataSource(config);
    pools.add(ds);
    return ds;
  }

  static Path queueIn(Path data) {
    return data.resolve("projects/p/progress/task_queue.json");
  }

  @Test
  void aQueueWrittenOnOneNodeIsReadAndChangedOnTheOther() throws Exception {
    // a user's queue file on node A only: the first locked change publishes it
    Queues.write(queueIn(dataA), 2, List.of(Item.of("T-1", 1, "pass"), Item.of("T-2", 2, "pass")));
    Instant now = Instant.parse("2026-12-01T10:00:00Z");
    SharedFiles.on(a, () -> new QueueStore(queueIn(dataA)).update(q -> q.claim("T-1", "A", now)));
    assertThat(queueIn(dataB)).doesNotExist();

    var onB = SharedFiles.on(b, () -> new QueueStore(queueIn(dataB)).read());
    assertThat(onB.require("T-1").status()).isEqualTo(TaskStatus.IN_PROGRESS);
    assertThat(queueIn(dataB)).exists();

    SharedFiles.on(b, () -> new QueueStore(queueIn(dataB)).update(q -> q.claim("T-2", "B", now)));
    var onA = SharedFiles.on(a, () -> new QueueStore(queueIn(dataA)).read());
    assertThat(onA.require("T-1").claimedBy()).isEqualTo("A");
    assertThat(onA.require("T-2").claimedBy()).isEqualTo("B");
    assertThat(Files.readAllBytes(queueIn(dataA))).isEqualTo(Files.readAllBytes(queueIn(dataB)));
  }

  /** The lost update two nodes would make without the database's lock: none here. */
  @Test
  void twoNodesChangingTheSameFileAtOnceLoseNoUpdate() throws Exception {
    int each = 40;
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> runs = new ArrayList<>();
      for (var node : List.of(Map.entry(a, dataA), Map.entry(b, dataB))) {
        Path counter = node.getValue().resolve("projects/p/progress/counter.txt");
        runs.add(
            pool.submit(
                () ->
                    SharedFiles.on(
                        node.getKey(),
                        () -> {
                          for (int i = 0; i < each; i++) {
                            SharedFiles.withLock(
                                counter,
                                () -> {
                                  int n =
                                      Files.exists(counter)
                                          ? Integer.parseInt(Files.readString(counter).trim())
                                          : 0;
                                  AtomicFile.write(
                                      counter,
                                      String.valueOf(n + 1).getBytes(StandardCharsets.UTF_8));
                                  return null;
                                });
                          }
                          return null;
                        })));
      }
      for (Future<?> f : runs) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    SharedFiles.on(
        a,
        () -> {
          SharedFiles.refresh();
          return null;
        });
    SharedFiles.on(
        b,
        () -> {
          SharedFiles.refresh();
          return null;
        });
    assertThat(Files.readString(dataA.resolve("projects/p/progress/counter.txt")))
        .isEqualTo(String.valueOf(2 * each));
    assertThat(Files.readString(dataB.resolve("projects/p/progress/counter.txt")))
        .isEqualTo(String.valueOf(2 * each));
  }

  @Test
  void theSessionLogAppendedOnBothNodesIsOneLog() {
    Path relative = Path.of("workflow/p/session.jsonl");
    for (int i = 0; i < 6; i++) {
      PostgresSharedFiles node = i % 2 == 0 ? a : b;
      Path data = i % 2 == 0 ? dataA : dataB;
      int n = i;
      SharedFiles.on(
          node,
          () ->
              new SessionLog(data.resolve(relative))
                  .append(
                      new SessionLog.Entry(
                          "execution_started", "p", "c-" + n, null, null, null, Map.of())));
    }
    for (var node : List.of(Map.entry(a, dataA), Map.entry(b, dataB))) {
      SessionLog.Contents log =
          SharedFiles.on(
              node.getKey(), () -> new SessionLog(node.getValue().resolve(relative)).read());
      assertThat(log.problems()).isEmpty();
      assertThat(log.events())
          .extracting(SessionEvent::seq)
          .containsExactly(1L, 2L, 3L, 4L, 5L, 6L);
      assertThat(log.events())
          .extracting(SessionEvent::campaignId)
          .containsExactly("c-0", "c-1", "c-2", "c-3", "c-4", "c-5");
    }
  }

  @Test
  void aQueueGivenUpOnOneNodeIsFreeOnTheOther() {
    Path queueA = queueIn(dataA);
    Path queueB = queueIn(dataB);
    Instant now = Instant.parse("2026-12-01T10:00:00Z");
    assertThat(SharedFiles.on(a, () -> new QueueOwner(queueA).claim("c-1", h -> true, now).taken()))
        .isTrue();
    var second = SharedFiles.on(b, () -> new QueueOwner(queueB).claim("c-2", h -> true, now));
    assertThat(second.taken()).as("node B sees node A's campaign holding the queue").isFalse();
    assertThat(second.holder()).isEqualTo("c-1");

    SharedFiles.on(
        a,
        () -> {
          new QueueOwner(queueA).release("c-1");
          return null;
        });
    assertThat(SharedFiles.on(b, () -> new QueueOwner(queueB).read())).isEmpty();
    assertThat(QueueOwner.fileOf(queueB)).doesNotExist();
    assertThat(SharedFiles.on(b, () -> new QueueOwner(queueB).claim("c-2", h -> true, now).taken()))
        .isTrue();
  }

  @Test
  void theDataDirectorysSecretsAreNeverShared() throws Exception {
    Path secret = dataA.resolve("secrets/launch-seal.key");
    SharedFiles.on(
        a,
        () ->
            SharedFiles.withLock(
                secret,
                () -> {
                  AtomicFile.write(secret, "not for the database".getBytes(StandardCharsets.UTF_8));
                  return null;
                }));
    try (var c = pools.get(0).getConnection();
        var rs = c.createStatement().executeQuery("SELECT count(*) FROM aiflow_shared_file")) {
      rs.next();
      assertThat(rs.getInt(1)).isZero();
    }
    assertThat(a.key(secret)).isNull();
    assertThat(a.path("data:secrets/launch-seal.key")).isNull();
    assertThat(a.path("data:../../etc/passwd")).isNull();
    assertThat(a.path("file:relative/path")).isNull();
    assertThat(a.path("file:" + dataA.resolve("secrets/x"))).isNull();
  }
}
