package dev.aiflow.logger;

import static dev.aiflow.logger.Attempts.attempt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aiflow.logger.IoFaults.Point;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Failures while the process lives on: a write, an fsync, a truncation, an open or an attachment
 * throws at each stage (through the store's {@link IoFaults} seam). After each, what the store
 * knows equals what is on disk, nothing acknowledged is lost, and the next append succeeds once the
 * disk recovers: one failure never latches the project.
 */
class RuntimeFaultTest {

  static final String PROJECT_LOG = "/p/events.jsonl";

  @TempDir Path root;
  final InjectedFaults faults = new InjectedFaults();
  final List<String> acknowledged = new ArrayList<>();
  WorkflowLogger log;

  @BeforeEach
  void openWithFaults() {
    WorkflowLogger.init(root, "p");
    log = WorkflowLogger.open(root, "p", LoggerOptions.defaults(), faults);
    acknowledged.add(log.logAttempt(attempt("T-1", 0, 0)).eventHash());
    acknowledged.add(log.logAttempt(attempt("T-2", 0, 0)).eventHash());
  }

  @AfterEach
  void close() {
    if (log != null) {
      log.close();
    }
  }

  @ParameterizedTest(name = "a failure at {0} of the project log")
  @EnumSource(
      value = Point.class,
      names = {"WRITE", "WRITE_PARTIAL", "FORCE"})
  void aFailedAppendLeavesStateEqualToDiskAndTheNextAppendSucceeds(Point point) throws Exception {
    byte[] before = Files.readAllBytes(root.resolve("p/events.jsonl"));
    String headBefore = log.head();
    faults.fail(point, PROJECT_LOG, 1);

    assertThatThrownBy(() -> log.logAttempt(attempt("T-1", 0, 1)))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("injected failure at " + point)
        .hasMessageContaining("nothing of it was acknowledged");

    // the bytes of the failed append were cut off again: memory, disk and a fresh reader agree
    assertThat(Files.readAllBytes(root.resolve("p/events.jsonl"))).isEqualTo(before);
    assertThat(log.head()).isEqualTo(headBefore).isEqualTo(diskHead());
    assertThat(log.task("T-1").attempts()).isEqualTo(1);
    assertThat(log.repairs()).isEmpty();

    // not latched: the same append succeeds now, at the position the failed one would have had
    ChainEvent retried = log.logAttempt(attempt("T-1", 0, 1));
    acknowledged.add(retried.eventHash());
    assertThat(retried.seq()).isEqualTo(4);
    assertEverythingAcknowledgedIsThereAndVerifies();
  }

  @Test
  void whenTheFailedBytesCannotBeCutOffCallsFailUntilTheDiskRecovers() throws Exception {
    byte[] before = Files.readAllBytes(root.resolve("p/events.jsonl"));
    String headBefore = log.head();
    // half a line reaches the file, then the disk fails, and cutting it off fails too
    faults.fail(Point.WRITE_PARTIAL, PROJECT_LOG, 1).fail(Point.TRUNCATE, PROJECT_LOG, 3);

    assertThatThrownBy(() -> log.logAttempt(attempt("T-1", 0, 1)))
        .isInstanceOf(UncheckedIOException.class);
    assertThat(Files.size(root.resolve("p/events.jsonl"))).isGreaterThan(before.length);
    // reads do not serve a state the file no longer matches; neither do appends
    assertThatThrownBy(() -> log.head()).hasMessageContaining("injected failure at TRUNCATE");
    assertThatThrownBy(() -> log.logAttempt(attempt("T-1", 0, 1)))
        .hasMessageContaining("injected failure at TRUNCATE");

    faults.clear(); // the disk recovered
    assertThat(log.head()).isEqualTo(headBefore);
    assertThat(Files.readAllBytes(root.resolve("p/events.jsonl"))).isEqualTo(before);
    assertThat(log.repairs()).singleElement().asString().contains("of a failed append");
    acknowledged.add(log.logAttempt(attempt("T-1", 0, 1)).eventHash());
    assertEverythingAcknowledgedIsThereAndVerifies();
  }

  /**
   * A complete line whose fsync failed and that could not be cut off is visible to another process
   * once our lock is released. If that process builds on it, it is part of the chain: we must not
   * cut it (that would destroy the other process's acknowledged events), and we read it as one of
   * its events. The failed caller's outcome is then "written after all", like a commit whose
   * acknowledgement was lost; a retry with the same idempotency key returns it.
   */
  @Test
  void anUnremovableLineThatAnotherProcessBuiltOnStaysAndIsRead() throws Exception {
    faults.fail(Point.FORCE, PROJECT_LOG, 1).fail(Point.TRUNCATE, PROJECT_LOG, 1);
    AttemptRecord keyed =
        AttemptRecord.builder("T-1")
            .pointer(0, 1)
            .result("FAIL")
            .reasonCode("RETRY")
            .idempotencyKey("engine-attempt-7")
            .build();
    assertThatThrownBy(() -> log.logAttempt(keyed)).isInstanceOf(UncheckedIOException.class);

    Process other =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                AppendWorker.class.getName(),
                root.toString(),
                "p",
                "OTHER",
                "3",
                "SYNC")
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    try (BufferedReader out =
        new BufferedReader(new InputStreamReader(other.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = out.readLine()) != null) {
        acknowledged.add(line.trim());
      }
    }
    assertThat(other.waitFor(2, TimeUnit.MINUTES)).isTrue();
    assertThat(other.exitValue()).isZero();

    ChainEvent replay = log.logAttempt(keyed);
    assertThat(replay.replayed()).isTrue();
    assertThat(replay.seq()).isEqualTo(4); // the line that failed, before the other's 3 events
    assertThat(log.head()).isEqualTo(diskHead());
    acknowledged.add(log.logAttempt(attempt("T-1", 0, 2)).eventHash());
    assertEverythingAcknowledgedIsThereAndVerifies();
  }

  @ParameterizedTest(name = "a failure at {0} of a task file")
  @EnumSource(
      value = Point.class,
      names = {"OPEN", "WRITE", "WRITE_PARTIAL"})
  void aFailedTaskCopyIsCompletedWithoutAReopen(Point point) throws Exception {
    log.close();
    log = null;
    try (WorkflowLogger fresh = WorkflowLogger.open(root, "p", LoggerOptions.defaults(), faults)) {
      faults.fail(point, "/T-3/events.jsonl", 1);
      // the event is durable in the project log: the append is acknowledged
      acknowledged.add(fresh.logAttempt(attempt("T-3", 0, 0)).eventHash());
      assertThat(fresh.repairs()).anyMatch(r -> r.contains("could not copy an event"));
      assertThat(WorkflowLogger.verify(root, "p", null, null).ok()).isFalse();
      // the next append to the task completes the copy first
      acknowledged.add(fresh.logAttempt(attempt("T-3", 0, 1)).eventHash());
      assertThat(fresh.taskEvents("T-3")).hasSize(2);
    }
    assertEverythingAcknowledgedIsThereAndVerifies();
  }

  @ParameterizedTest(name = "an attachment that fails at {0}")
  @EnumSource(
      value = Point.class,
      names = {"ATTACHMENT", "ATTACHMENT_RENAMED"})
  void aFailedAttachmentRefusesOnlyItsEvent(Point point) throws Exception {
    String headBefore = log.head();
    AttemptRecord large =
        AttemptRecord.builder("T-1")
            .pointer(0, 1)
            .result("PASS")
            .reasonCode("OK")
            .codeContent("y".repeat(70_000))
            .build();
    faults.fail(point, "code_content_R0_S1.txt", 1);
    assertThatThrownBy(() -> log.logAttempt(large))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("injected failure at " + point);
    assertThat(log.head()).isEqualTo(headBefore).isEqualTo(diskHead());
    acknowledged.add(log.logAttempt(large).eventHash());
    assertEverythingAcknowledgedIsThereAndVerifies();
  }

  @Test
  void aFailedOpenLeavesNothingOpenAndTheNextOpenWorks() throws Exception {
    log.close();
    log = null;
    faults.fail(Point.OPEN, PROJECT_LOG, 1);
    assertThatThrownBy(() -> WorkflowLogger.open(root, "p", LoggerOptions.defaults(), faults))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("injected failure at OPEN");
    log = WorkflowLogger.open(root, "p", LoggerOptions.defaults(), faults);
    acknowledged.add(log.logAttempt(attempt("T-1", 0, 1)).eventHash());
    assertEverythingAcknowledgedIsThereAndVerifies();
  }

  @Test
  void manyTransientFailuresUnderConcurrentWritersLoseNothingAcknowledged() throws Exception {
    log.close();
    log = null;
    Set<String> acked = java.util.concurrent.ConcurrentHashMap.newKeySet();
    acked.addAll(acknowledged);
    java.util.concurrent.atomic.AtomicInteger failures =
        new java.util.concurrent.atomic.AtomicInteger();
    try (WorkflowLogger group =
        WorkflowLogger.open(
            root, "p", LoggerOptions.defaults().withDurability(Durability.GROUP_COMMIT), faults)) {
      faults
          .fail(Point.FORCE, PROJECT_LOG, 5)
          .fail(Point.WRITE_PARTIAL, PROJECT_LOG, 5)
          .fail(Point.WRITE, PROJECT_LOG, 5);
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        String task = "W-" + t;
        Thread thread =
            new Thread(
                () -> {
                  int s = 0;
                  for (int i = 0; i < 60; i++) {
                    try {
                      acked.add(group.logAttempt(attempt(task, 0, s)).eventHash());
                      s++;
                    } catch (UncheckedIOException e) {
                      failures.incrementAndGet(); // retried with the same pointer
                    }
                  }
                });
        thread.start();
        threads.add(thread);
      }
      for (Thread t : threads) {
        t.join(TimeUnit.MINUTES.toMillis(2));
        assertThat(t.isAlive()).as("a writer hangs").isFalse();
      }
      assertThat(group.head()).isEqualTo(diskHead());
    }
    assertThat(faults.thrown()).isEqualTo(15);
    assertThat(failures.get()).isPositive();
    acknowledged.clear();
    acknowledged.addAll(acked);
    assertEverythingAcknowledgedIsThereAndVerifies();
    assertThat(WorkflowLogger.verify(root, "p", null, null).events())
        .isEqualTo(3 + 8 * 60 - failures.get());
  }

  // ------------------------------------------------------------------ helpers

  private String diskHead() {
    return WorkflowLogger.verify(root, "p", null, null).head();
  }

  private void assertEverythingAcknowledgedIsThereAndVerifies() {
    Set<String> inChain = new HashSet<>();
    for (ChainEvent e : WorkflowLogger.readProjectEvents(root, "p")) {
      inChain.add(e.eventHash());
    }
    assertThat(inChain).containsAll(acknowledged);
    VerificationReport report = WorkflowLogger.verify(root, "p", null, null);
    assertThat(report.problems()).isEmpty();
    assertThat(report.warnings()).isEmpty();
    // and a fresh store (as after a restart) reads the same chain without repairs
    if (log != null) {
      log.close();
      log = null;
    }
    try (WorkflowLogger reopened = WorkflowLogger.open(root, "p")) {
      assertThat(reopened.repairs()).isEmpty();
      assertThat(reopened.head()).isEqualTo(report.head());
    }
  }
}
