package dev.aiflow.logger;

import static dev.aiflow.logger.Attempts.attempt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link ChainStore} promises, run against each implementation: the file store ({@code
 * FileChainStoreTest}) and PostgreSQL ({@code PostgresChainStorePostgresIT}). A "node" is an
 * independent opener of the same chains (for PostgreSQL: its own pool and its own cached state).
 */
abstract class ChainStoreContract {

  @TempDir Path tmp;

  /** Opens loggers on the store under test, as one node would. */
  interface Node {
    WorkflowLogger openOrInit(String projectId);
  }

  /** A new node on the same chains as every other node of this test. */
  abstract Node node();

  /** The project written out in the file layout under {@code root} (its project folder). */
  abstract Path writeOut(String projectId, Path root);

  /** An attempt whose code content is {@code content} (over 64 KiB: an attachment). */
  static AttemptRecord withContent(String taskId, int r, int s, String content) {
    return AttemptRecord.builder(taskId)
        .pointer(r, s)
        .acceptanceSnapshot(List.of("AC-1: tests pass"))
        .codeChangeSummary("A large generated file.")
        .codeContent(content)
        .executedFiles(List.of("src/generated.txt"))
        .executedCommands(List.of("true"))
        .testResults("0 failed, 1 passed")
        .result("PASS")
        .reasonCode("PASS_ALL_CRITERIA")
        .reasonDetail("Generated.")
        .nextAction("Close task.")
        .build();
  }

  @Test
  void attemptsFollowTheRsProtocolAndATaskClosesOnce() {
    try (WorkflowLogger log = node().openOrInit("rs")) {
      log.logAttempt(attempt("T-1", 0, 0));
      log.logAttempt(attempt("T-1", 0, 1));
      assertThatThrownBy(() -> log.logAttempt(attempt("T-1", 0, 3)))
          .isInstanceOf(LogRefusedException.class)
          .satisfies(
              e -> assertThat(((LogRefusedException) e).code()).isEqualTo("RS_OUT_OF_ORDER"));
      log.logAttempt(attempt("T-1", 1, 0));
      log.closeTask("T-1", "accepted", "done");
      assertThatThrownBy(() -> log.logAttempt(attempt("T-1", 1, 1)))
          .isInstanceOf(LogRefusedException.class);
      TaskSnapshot t = log.task("T-1");
      assertThat(t.attempts()).isEqualTo(3);
      assertThat(t.events()).isEqualTo(4);
      assertThat(t.closed()).isTrue();
      assertThat(t.finalStatus()).isEqualTo("accepted");
      assertThat(log.taskEvents("T-1"))
          .extracting(ChainEvent::eventType)
          .containsExactly("attempt", "attempt", "attempt", "task_closed");
      assertThat(log.verifyProject(log.head()).ok()).isTrue();
      assertThat(log.verifyTask("T-1", null).ok()).isTrue();
    }
  }

  @Test
  void anIdempotentAppendIsWrittenOnceWhicheverNodeRetriesIt() {
    Node a = node();
    Node b = node();
    try (WorkflowLogger onA = a.openOrInit("idem");
        WorkflowLogger onB = b.openOrInit("idem")) {
      ChainEvent first =
          onA.logTaskEvent("T-1", "qa_review", Map.of("verdict", "PASS"), "review:1");
      ChainEvent again =
          onB.logTaskEvent("T-1", "qa_review", Map.of("verdict", "PASS"), "review:1");
      assertThat(first.replayed()).isFalse();
      assertThat(again.replayed()).isTrue();
      assertThat(again.eventHash()).isEqualTo(first.eventHash());
      assertThat(again.json()).isEqualTo(first.json());
      assertThat(onB.taskEvents("T-1")).hasSize(1);
      // node B sees A's attempt before it picks the next pointer
      onA.logAttempt(attempt("T-2", 0, 0));
      assertThat(onB.nextPointer("T-2", null)).isEqualTo(new AttemptPointer(0, 1));
    }
  }

  @Test
  void aRefusedAppendInABatchFailsAlone() {
    try (WorkflowLogger log = node().openOrInit("batch")) {
      List<ChainEvent> written =
          log.logAttempts(
              List.of(attempt("T-1", 0, 0), attempt("T-2", 0, 0), attempt("T-2", 0, 1)));
      assertThat(written).hasSize(3);
      assertThatThrownBy(
              () ->
                  log.logAttempts(
                      List.of(attempt("T-3", 0, 0), attempt("T-1", 5, 5), attempt("T-3", 0, 1))))
          .isInstanceOf(LogRefusedException.class);
      assertThat(log.task("T-3").attempts()).isEqualTo(2);
      assertThat(log.task("T-1").attempts()).isEqualTo(1);
      assertThat(log.verifyProject(null).ok()).isTrue();
    }
  }

  @Test
  void twoNodesAppendingAtOnceMakeOneLinearChain() throws Exception {
    int threadsPerNode = 4;
    int eventsPerThread = 25;
    List<Node> nodes = List.of(node(), node());
    List<WorkflowLogger> loggers = new ArrayList<>();
    for (Node n : nodes) {
      loggers.add(n.openOrInit("linear"));
    }
    ExecutorService pool = Executors.newFixedThreadPool(threadsPerNode * nodes.size());
    CountDownLatch go = new CountDownLatch(1);
    List<Future<?>> done = new ArrayList<>();
    List<String> hashes = Collections.synchronizedList(new ArrayList<>());
    try {
      for (int n = 0; n < nodes.size(); n++) {
        WorkflowLogger log = loggers.get(n);
        for (int t = 0; t < threadsPerNode; t++) {
          String own = "N" + n + "-T" + t;
          done.add(
              pool.submit(
                  () -> {
                    go.await();
                    for (int i = 0; i < eventsPerThread; i++) {
                      // a task of its own, and one task every thread of every node shares
                      hashes.add(log.logTaskEvent(own, "note", Map.of("i", i), null).eventHash());
                      hashes.add(
                          log.logTaskEvent("SHARED", "note", Map.of("by", own, "i", i), null)
                              .eventHash());
                    }
                    return null;
                  }));
        }
      }
      go.countDown();
      for (Future<?> f : done) {
        f.get(120, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    int appended = nodes.size() * threadsPerNode * eventsPerThread * 2;
    assertThat(hashes).doesNotHaveDuplicates().hasSize(appended);
    Path dir = writeOut("linear", tmp.resolve("out"));
    List<ChainEvent> chain = WorkflowLogger.readProjectEvents(dir.getParent(), "linear");
    assertThat(chain).hasSize(appended + 1);
    for (int i = 0; i < chain.size(); i++) {
      assertThat(chain.get(i).seq()).isEqualTo(i + 1);
    }
    assertThat(chain.stream().map(ChainEvent::eventHash).skip(1).toList())
        .containsExactlyInAnyOrderElementsOf(hashes);
    VerificationReport report = WorkflowLogger.verify(dir.getParent(), "linear", null, null);
    assertThat(report.problems()).isEmpty();
    assertThat(report.events()).isEqualTo(appended + 1);
    for (WorkflowLogger log : loggers) {
      assertThat(log.head()).isEqualTo(chain.get(chain.size() - 1).eventHash());
      assertThat(log.task("SHARED").events())
          .isEqualTo((long) nodes.size() * threadsPerNode * eventsPerThread);
      log.close();
    }
  }

  @Test
  void anExportVerifiesAndImportsLikeAFolderProjectsExport() throws Exception {
    String large = "x".repeat(LoggerOptions.DEFAULT_INLINE_CONTENT_LIMIT + 10);
    Path archive = tmp.resolve("export.zip");
    try (WorkflowLogger log = node().openOrInit("exp")) {
      log.logAttempt(attempt("T-1", 0, 0));
      log.logAttempt(withContent("T-2", 0, 0, large));
      log.closeTask("T-1", "accepted", "done");
      log.logProjectEvent("execution_started", Map.of("campaign", "C-1"));
      ExportResult result = log.export(archive);
      assertThat(result.events()).isEqualTo(5);
      assertThat(result.head()).isEqualTo(log.head());
    }
    try (ZipFile zip = new ZipFile(archive.toFile())) {
      List<String> names = zip.stream().map(e -> e.getName()).sorted().toList();
      assertThat(names)
          .contains(
              "aiflow-export.json",
              "events.jsonl",
              "manifest/project_manifest.json",
              "manifest/schema_version.json",
              "tasks/T-1/events.jsonl",
              "tasks/T-1/task_log.md",
              "tasks/T-2/events.jsonl")
          .anyMatch(n -> n.startsWith("tasks/T-2/artifacts/code_content_R0_S0"));
    }
    Path imported = tmp.resolve("imported");
    ImportResult in = WorkflowLogger.importProject(imported, archive, "exp-copy");
    assertThat(in.targetProjectId()).isEqualTo("exp-copy");
    assertThat(WorkflowLogger.verify(imported, "exp-copy", null, null).ok()).isTrue();
    assertThat(Files.readString(imported.resolve("exp-copy/events.jsonl"))).contains("attempt");
  }
}
