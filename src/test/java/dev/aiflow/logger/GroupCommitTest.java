package dev.aiflow.logger;

import static dev.aiflow.logger.Attempts.attempt;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.aiflow.logger.IoFaults.Point;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Group commit (docs/chain-format.md, "Group commit"): a batch is encoded against a copy of the
 * state that is committed only after its fsync; a refused request fails alone; a failed write or
 * fsync fails every request of the batch; no waiting writer is ever left behind.
 */
class GroupCommitTest {

  @TempDir Path root;

  LoggerOptions group() {
    return LoggerOptions.defaults().withDurability(Durability.GROUP_COMMIT);
  }

  @Test
  void aRefusalInsideABatchFailsOnlyThatRequestAndTheOthersAreCheckedWithoutIt() {
    WorkflowLogger.init(root, "p");
    try (WorkflowLogger log = WorkflowLogger.open(root, "p", group())) {
      assertThatThrownBy(
              () ->
                  log.logAttempts(
                      List.of(
                          attempt("T-1", 0, 0),
                          attempt("T-1", 5, 5), // breaks the R/S protocol
                          attempt("T-1", 0, 1), // valid: the refused one changed nothing
                          attempt("T-2", 0, 0))))
          .isInstanceOf(LogRefusedException.class)
          .hasMessageContaining("1 of 4 attempts")
          .hasMessageContaining("#1: ")
          .hasMessageContaining("R5/S5");
      assertThat(log.task("T-1").attempts()).isEqualTo(2);
      assertThat(log.task("T-1").lastS()).isEqualTo(1);
      assertThat(log.task("T-2").attempts()).isEqualTo(1);
      assertThat(log.head()).isEqualTo(diskHead());
      log.logAttempt(attempt("T-1", 0, 2));
    }
    assertReopensAndVerifies(5);
  }

  @Test
  void anAttachmentThatFailsAfterEarlierRequestsWereEncodedLeavesTheStateEqualToTheDisk() {
    WorkflowLogger.init(root, "p");
    InjectedFaults faults =
        new InjectedFaults().fail(Point.ATTACHMENT, "code_content_R0_S1.txt", 1);
    try (WorkflowLogger log = WorkflowLogger.open(root, "p", group(), faults)) {
      AttemptRecord large =
          AttemptRecord.builder("T-1")
              .pointer(0, 1)
              .result("PASS")
              .reasonCode("OK")
              .codeContent("z".repeat(70_000))
              .build();
      assertThatThrownBy(
              () ->
                  log.logAttempts(
                      List.of(
                          attempt("T-1", 0, 0), large, attempt("T-2", 0, 0), attempt("T-1", 0, 1))))
          .isInstanceOf(LogRefusedException.class)
          .hasMessageContaining("1 of 4 attempts")
          .hasMessageContaining("injected failure at ATTACHMENT");
      // the third and fourth were checked as if the failed one had never been queued
      assertThat(log.task("T-1").attempts()).isEqualTo(2);
      assertThat(log.head()).isEqualTo(diskHead());
      // no sequence gap: the next append continues the chain on disk
      log.logAttempt(attempt("T-1", 0, 2));
    }
    assertReopensAndVerifies(5);
  }

  @Test
  void aFailedFsyncFailsEveryRequestOfTheBatchAndTheNextBatchSucceeds() throws Exception {
    WorkflowLogger.init(root, "p");
    InjectedFaults faults = new InjectedFaults();
    try (WorkflowLogger log = WorkflowLogger.open(root, "p", group(), faults)) {
      log.logAttempt(attempt("T-1", 0, 0));
      long size = Files.size(root.resolve("p/events.jsonl"));
      String head = log.head();
      faults.fail(Point.FORCE, "/p/events.jsonl", 1);
      List<AttemptRecord> batch =
          List.of(attempt("T-1", 0, 1), attempt("T-1", 0, 2), attempt("T-3", 0, 0));
      assertThatThrownBy(() -> log.logAttempts(batch))
          .isInstanceOf(LogRefusedException.class)
          .hasMessageContaining("3 of 3 attempts")
          .hasMessageContaining("injected failure at FORCE");
      assertThat(Files.size(root.resolve("p/events.jsonl"))).isEqualTo(size);
      assertThat(log.head()).isEqualTo(head).isEqualTo(diskHead());
      assertThat(log.task("T-3").hasAttempts()).isFalse();
      assertThat(log.logAttempts(batch)).hasSize(3);
    }
    assertReopensAndVerifies(5);
  }

  @Test
  void sixteenWritersWithRefusalsAndFailedFsyncsAllReturnAndLoseNothing() throws Exception {
    WorkflowLogger.init(root, "p");
    InjectedFaults faults = new InjectedFaults().fail(Point.FORCE, "/p/events.jsonl", 6);
    Set<String> acknowledged = ConcurrentHashMap.newKeySet();
    AtomicInteger refused = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    ExecutorService pool = Executors.newFixedThreadPool(16);
    CountDownLatch start = new CountDownLatch(1);
    List<Future<?>> futures = new ArrayList<>();
    try (WorkflowLogger log = WorkflowLogger.open(root, "p", group(), faults)) {
      for (int t = 0; t < 16; t++) {
        String task = "T-" + t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  int s = 0;
                  for (int i = 0; i < 50; i++) {
                    try {
                      if (i % 7 == 3) {
                        log.logAttempt(attempt(task, 9, 9)); // always refused
                      } else {
                        acknowledged.add(log.logAttempt(attempt(task, 0, s)).eventHash());
                        s++;
                      }
                    } catch (LogRefusedException e) {
                      refused.incrementAndGet();
                    } catch (java.io.UncheckedIOException e) {
                      failed.incrementAndGet();
                    }
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(2, TimeUnit.MINUTES); // a writer left spinning fails here
      }
      assertThat(log.head()).isEqualTo(diskHead());
    } finally {
      pool.shutdownNow();
    }
    assertThat(refused.get()).isEqualTo(16 * 7);
    assertThat(failed.get()).isPositive();
    assertThat(inChain()).containsAll(acknowledged);
    assertReopensAndVerifies(1 + acknowledged.size());
  }

  @Test
  void aChainThatShrankUnderAFullQueueFailsEveryWriterInsteadOfHangingThem() throws Exception {
    WorkflowLogger.init(root, "p");
    try (WorkflowLogger log = WorkflowLogger.open(root, "p", group())) {
      log.logAttempt(attempt("T-0", 0, 0));
      log.logAttempt(attempt("T-0", 0, 1));
      Path events = root.resolve("p/events.jsonl");
      try (RandomAccessFile f = new RandomAccessFile(events.toFile(), "rw")) {
        f.setLength(Files.size(events) - 10); // someone cut the file while it was open
      }
      ExecutorService pool = Executors.newFixedThreadPool(8);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<String>> futures = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        String task = "T-" + (t + 1);
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  try {
                    log.logAttempt(attempt(task, 0, 0));
                    return "written";
                  } catch (LogRefusedException e) {
                    return e.code();
                  }
                }));
      }
      start.countDown();
      Set<String> outcomes = new HashSet<>();
      for (Future<String> f : futures) {
        outcomes.add(f.get(1, TimeUnit.MINUTES));
      }
      pool.shutdownNow();
      assertThat(outcomes).containsExactly("CHAIN_SHRANK");
    }
  }

  private String diskHead() {
    return WorkflowLogger.verify(root, "p", null, null).head();
  }

  private Set<String> inChain() {
    Set<String> hashes = new HashSet<>();
    for (ChainEvent e : WorkflowLogger.readProjectEvents(root, "p")) {
      hashes.add(e.eventHash());
    }
    return hashes;
  }

  private void assertReopensAndVerifies(long events) {
    try (WorkflowLogger reopened = WorkflowLogger.open(root, "p")) {
      assertThat(reopened.repairs()).isEmpty();
    }
    VerificationReport report = WorkflowLogger.verify(root, "p", null, null);
    assertThat(report.problems()).isEmpty();
    assertThat(report.events()).isEqualTo(events);
  }
}
