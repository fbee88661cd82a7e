package dev.aiflow.bench;

import dev.aiflow.logger.AttemptRecord;
import dev.aiflow.logger.Durability;
import dev.aiflow.logger.LoggerOptions;
import dev.aiflow.logger.VerificationReport;
import dev.aiflow.logger.WorkflowLogger;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * What crash repair costs on a large project (docs/performance.md): a project of N events (default
 * 1,000,000) over 2,000 tasks, appended round-robin so every task's events are spread over the
 * whole log; then the time to open it (open reads and checks every event, and repairs while it
 * does) when nothing lags, when one task file is missing (its events up to N back), when every task
 * file lacks its last line, and when every task file is missing. Not JMH: each case is one open of
 * a big project, measured after one unmeasured open that warms the page cache.
 *
 * <pre>./mvnw -B -Pbench verify -Dbench.main=dev.aiflow.bench.RepairBenchmark -Dbench.args=1000000
 * </pre>
 */
public final class RepairBenchmark {

  private static final int TASKS = 2_000;

  public static void main(String[] args) throws Exception {
    int events = args.length > 0 ? Integer.parseInt(args[0]) : 1_000_000;
    Path root = Files.createTempDirectory("aiflow-bench-repair");
    try {
      long t0 = System.nanoTime();
      build(root, events);
      Path dir = root.resolve("bench");
      long bytes = Files.size(dir.resolve("events.jsonl"));
      System.out.printf(
          Locale.ROOT,
          "built %,d events over %,d tasks (project log %,d MB) in %.1f s%n",
          events + 1,
          TASKS,
          bytes >> 20,
          (System.nanoTime() - t0) / 1e9);

      open(root, "warm-up (not counted)");
      open(root, "open, nothing to repair");

      Files.delete(dir.resolve("tasks/T-0/events.jsonl"));
      open(root, "open, one task file missing (" + events / TASKS + " events, up to N back)");
      check(root);

      for (int t = 0; t < TASKS; t++) {
        Path file = dir.resolve("tasks/T-" + t + "/events.jsonl");
        cutLastLine(file);
      }
      open(root, "open, every task file lacks its last line (" + TASKS + " lines)");
      check(root);

      for (int t = 0; t < TASKS; t++) {
        Files.delete(dir.resolve("tasks/T-" + t + "/events.jsonl"));
      }
      open(root, "open, every task file missing (" + events + " lines)");
      check(root);

      long v0 = System.nanoTime();
      VerificationReport report = WorkflowLogger.verify(root, "bench", null, null);
      System.out.printf(
          Locale.ROOT,
          "for comparison: verify (project chain and every task chain, %,d MB) %.1f s%n",
          report.bytes() >> 20,
          (System.nanoTime() - v0) / 1e9);
    } finally {
      deleteTree(root);
    }
  }

  private static void build(Path root, int events) {
    WorkflowLogger.init(root, "bench");
    try (WorkflowLogger log =
        WorkflowLogger.open(
            root, "bench", LoggerOptions.defaults().withDurability(Durability.GROUP_COMMIT))) {
      List<AttemptRecord> batch = new ArrayList<>(4096);
      for (int i = 0; i < events; i++) {
        batch.add(
            AttemptRecord.builder("T-" + i % TASKS)
                .pointer(0, i / TASKS)
                .result("FAIL")
                .reasonCode("TESTS_FAIL")
                .testResults("12 passed, 2 failed")
                .build());
        if (batch.size() == 4096 || i == events - 1) {
          log.logAttempts(batch);
          batch.clear();
        }
      }
    }
  }

  private static void open(Path root, String what) {
    long t0 = System.nanoTime();
    int repairs;
    try (WorkflowLogger log = WorkflowLogger.open(root, "bench")) {
      repairs = log.repairs().size();
    }
    System.out.printf(
        Locale.ROOT,
        "%-70s %6.2f s  (%d repair notes)%n",
        what,
        (System.nanoTime() - t0) / 1e9,
        repairs);
  }

  private static void check(Path root) {
    VerificationReport report = WorkflowLogger.verify(root, "bench", null, null);
    if (!report.ok()) {
      throw new IllegalStateException("not repaired: " + report.firstProblem());
    }
  }

  private static void cutLastLine(Path file) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      long end = f.length() - 1; // the last newline
      long pos = end - 1;
      while (pos >= 0) {
        f.seek(pos);
        if (f.read() == '\n') {
          break;
        }
        pos--;
      }
      f.setLength(pos + 1);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
