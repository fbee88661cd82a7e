package dev.aiflow.bench;

import dev.aiflow.logger.AttemptRecord;
import dev.aiflow.logger.Durability;
import dev.aiflow.logger.LoggerOptions;
import dev.aiflow.logger.VerificationReport;
import dev.aiflow.logger.WorkflowLogger;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The workflow logger against the limits of the same machine in the same run (docs/performance.md):
 *
 * <ul>
 *   <li>{@code appendSync} vs {@code rawWriteFsync200}: one durable event per fsync;
 *   <li>{@code appendBatch64} (one caller, 64 per fsync) and {@code appendGroupCommit} (16
 *       concurrent writers) vs {@code rawWrite64PerFsync};
 *   <li>{@code verifyProject} vs {@code rawSha256}, both in bytes per second over the same bytes.
 * </ul>
 *
 * Run: {@code ./mvnw -B -Pbench verify -Dbench.args=LoggerBenchmark}
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class LoggerBenchmark {

  static final byte[] RECORD_200;

  static {
    RECORD_200 = new byte[200];
    Arrays.fill(RECORD_200, (byte) 'x');
    RECORD_200[199] = '\n';
  }

  // ------------------------------------------------------------------ appends

  /** One project shared by every benchmark thread, fresh for each trial. */
  @State(Scope.Benchmark)
  public static class Project {
    Path root;
    WorkflowLogger sync;
    WorkflowLogger group;
    final AtomicInteger threadIds = new AtomicInteger();

    @Setup(Level.Trial)
    public void open() throws IOException {
      root = Files.createTempDirectory("aiflow-bench-log");
      WorkflowLogger.init(root, "bench");
      sync = WorkflowLogger.open(root, "bench");
      group =
          WorkflowLogger.open(
              root, "bench", LoggerOptions.defaults().withDurability(Durability.GROUP_COMMIT));
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
      sync.close();
      group.close();
      deleteTree(root);
    }
  }

  /** Each thread retries its own task: R0/S0, R0/S1, ... */
  @State(Scope.Thread)
  public static class Writer {
    String taskId;
    int s;

    @Setup(Level.Trial)
    public void pick(Project project) {
      taskId = "T-" + project.threadIds.incrementAndGet();
    }

    AttemptRecord next() {
      return AttemptRecord.builder(taskId)
          .pointer(0, s++)
          .result("FAIL")
          .reasonCode("TESTS_FAIL")
          .testResults("1 failed")
          .build();
    }
  }

  @Benchmark
  public Object appendSync(Project project, Writer writer) {
    return project.sync.logAttempt(writer.next());
  }

  @Benchmark
  @Threads(16)
  public Object appendGroupCommit(Project project, Writer writer) {
    return project.group.logAttempt(writer.next());
  }

  /** Group commit from one caller: 64 attempts, one fsync (compare with rawWrite64PerFsync). */
  @Benchmark
  @OperationsPerInvocation(64)
  public Object appendBatch64(Project project, Writer writer) {
    java.util.List<AttemptRecord> batch = new java.util.ArrayList<>(64);
    for (int i = 0; i < 64; i++) {
      batch.add(writer.next());
    }
    return project.group.logAttempts(batch);
  }

  /** The machine's limit: 200 bytes written and fsync'd per operation. */
  @State(Scope.Thread)
  public static class RawFile {
    Path file;
    FileChannel channel;

    @Setup(Level.Trial)
    public void open() throws IOException {
      file = Files.createTempFile("aiflow-bench-raw", ".log");
      channel = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
    }

    @TearDown(Level.Trial)
    public void close() throws IOException {
      channel.close();
      Files.deleteIfExists(file);
    }
  }

  @Benchmark
  public void rawWriteFsync200(RawFile raw) throws IOException {
    raw.channel.write(ByteBuffer.wrap(RECORD_200));
    raw.channel.force(false);
  }

  @Benchmark
  @OperationsPerInvocation(64)
  public void rawWrite64PerFsync(RawFile raw) throws IOException {
    for (int i = 0; i < 64; i++) {
      raw.channel.write(ByteBuffer.wrap(RECORD_200));
    }
    raw.channel.force(false);
  }

  // ------------------------------------------------------------------ verification

  /** A project of 20,000 attempts over 200 tasks, and the same bytes in memory. */
  @State(Scope.Benchmark)
  public static class Chain {
    Path root;
    byte[] sameBytes;

    @Setup(Level.Trial)
    public void build() throws IOException {
      root = Files.createTempDirectory("aiflow-bench-verify");
      WorkflowLogger.init(root, "bench");
      try (WorkflowLogger log =
          WorkflowLogger.open(
              root, "bench", LoggerOptions.defaults().withDurability(Durability.GROUP_COMMIT))) {
        for (int i = 0; i < 20_000; i++) {
          int task = i % 200;
          log.logAttempt(
              AttemptRecord.builder("T-" + task)
                  .pointer(0, i / 200)
                  .result(i % 3 == 0 ? "PASS" : "FAIL")
                  .reasonCode("TESTS_FAIL")
                  .reasonDetail("2 of 14 tests failed in the parser module")
                  .executedCommands(java.util.List.of("./mvnw -q test -Dtest=ParserTest"))
                  .executedFiles(java.util.List.of("src/main/java/Parser.java"))
                  .acceptanceSnapshot(java.util.List.of("AC-1: parser tests pass"))
                  .testResults("12 passed, 2 failed")
                  .build());
        }
      }
      // the bytes verification reads: the project chain and every task chain
      try (var out = new java.io.ByteArrayOutputStream();
          Stream<Path> files = Files.walk(root.resolve("bench"))) {
        for (Path p :
            (Iterable<Path>)
                files.filter(f -> f.toString().endsWith(".jsonl")).sorted()::iterator) {
          out.write(Files.readAllBytes(p));
        }
        sameBytes = out.toByteArray();
      }
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
      deleteTree(root);
    }
  }

  /** Reports bytes per second next to operations per second. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Bytes {
    public long bytes;

    @Setup(Level.Iteration)
    public void reset() {
      bytes = 0;
    }
  }

  @Benchmark
  @Warmup(iterations = 2, time = 5)
  @Measurement(iterations = 5, time = 5)
  public VerificationReport verifyProject(Chain chain, Bytes counter) {
    VerificationReport report = WorkflowLogger.verify(chain.root, "bench", null, null);
    if (!report.ok()) {
      throw new IllegalStateException(report.firstProblem().toString());
    }
    counter.bytes += report.bytes();
    return report;
  }

  @Benchmark
  @Warmup(iterations = 2, time = 5)
  @Measurement(iterations = 5, time = 5)
  public byte[] rawSha256(Chain chain, Bytes counter) throws Exception {
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    counter.bytes += chain.sameBytes.length;
    return md.digest(chain.sameBytes);
  }

  static void deleteTree(Path dir) throws IOException {
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
