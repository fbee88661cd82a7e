package dev.aiflow.worker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real processes under each limit: the whole tree is stopped and no pid survives. */
class SupervisedProcessTest {

  @TempDir Path dir;

  ProcessReport run(String script, ProcessLimits limits, Map<String, String> env, long cap) {
    return run(script, limits, env, cap, ProgressListener.NONE);
  }

  ProcessReport run(
      String script, ProcessLimits limits, Map<String, String> env, long cap, ProgressListener l) {
    return new SupervisedProcess(
            List.of("bash", "-c", script),
            dir,
            env,
            limits,
            dir.resolve("out.log"),
            dir.resolve("err.log"),
            cap,
            l,
            new SecretRedactor(env))
        .run();
  }

  static ProcessLimits limits(int runtimeSec, int silenceSec, int memoryMb) {
    return new ProcessLimits(
        Duration.ofSeconds(runtimeSec),
        Duration.ofSeconds(silenceSec),
        memoryMb * 1024L * 1024L,
        Duration.ofMillis(500));
  }

  /** Children, grandchildren and a double-forked process; their pids go to pids.txt. */
  static final String FAMILY =
      "sleep 300 & echo $! >> pids.txt; "
          + "(sleep 300 & echo $! >> pids.txt; wait) & echo $! >> pids.txt; "
          + "( sleep 300 & echo $! >> pids.txt ); ";

  List<Long> recordedPids(ProcessReport report) throws Exception {
    List<Long> pids = new ArrayList<>();
    pids.add(report.pid());
    for (String line : Files.readAllLines(dir.resolve("pids.txt"))) {
      if (!line.isBlank()) {
        pids.add(Long.parseLong(line.trim()));
      }
    }
    return pids;
  }

  static void assertNoneAlive(List<Long> pids) {
    for (long pid : pids) {
      boolean alive =
          ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
              && !ProcessTree.isZombie(pid);
      assertThat(alive).as("pid %d survived", pid).isFalse();
    }
  }

  @Test
  void silenceStopsTheWholeTree() throws Exception {
    ProcessReport r = run(FAMILY + "echo started; wait", limits(60, 1, 1024), Map.of(), 1 << 20);
    assertThat(r.outcome()).isEqualTo(Outcome.SILENCE);
    assertThat(r.detail()).contains("max_silence_sec=1");
    assertThat(r.elapsed()).isLessThan(Duration.ofSeconds(10));
    List<Long> pids = recordedPids(r);
    assertThat(pids).hasSizeGreaterThanOrEqualTo(5);
    assertNoneAlive(pids);
    assertThat(Files.readString(dir.resolve("out.log"))).isEqualTo("started\n");
  }

  @Test
  void aWithdrawnRunStopsTheWholeTreeAtOnce() throws Exception {
    java.util.concurrent.atomic.AtomicBoolean withdrawn =
        new java.util.concurrent.atomic.AtomicBoolean();
    ProgressListener listener =
        new ProgressListener() {
          @Override
          public void onProgress(long bytesSeen, java.time.Instant lastOutput) {
            if (bytesSeen > 0) {
              withdrawn.set(true); // the worker is stopping once the agent has started
            }
          }

          @Override
          public boolean cancelled() {
            return withdrawn.get();
          }
        };
    ProcessReport r =
        run(
            FAMILY + "while :; do echo working; sleep 0.2; done",
            limits(60, 30, 1024),
            Map.of(),
            1 << 20,
            listener);
    assertThat(r.outcome()).isEqualTo(Outcome.CANCELLED);
    assertThat(r.detail()).contains("withdrawn");
    assertThat(r.elapsed()).isLessThan(Duration.ofSeconds(10));
    assertNoneAlive(recordedPids(r));
  }

  @Test
  void runtimeStopsATalkativeTree() throws Exception {
    ProcessReport r =
        run(
            FAMILY + "while :; do echo tick; sleep 0.1; done",
            limits(1, 10, 1024),
            Map.of(),
            1 << 20);
    assertThat(r.outcome()).isEqualTo(Outcome.TIMEOUT);
    assertThat(r.stdoutBytes()).isGreaterThan(0);
    assertNoneAlive(recordedPids(r));
  }

  @Test
  void memoryOfTheTreeStopsIt() throws Exception {
    // the child, not the shell, grows: only the tree's total can see it
    ProcessReport r =
        run(
            FAMILY + "echo eating; head -c 2000m /dev/zero | tail > /dev/null",
            limits(60, 30, 64),
            Map.of(),
            1 << 20);
    assertThat(r.outcome()).isEqualTo(Outcome.MEMORY);
    assertThat(r.peakMemoryBytes()).isGreaterThan(64L * 1024 * 1024);
    assertNoneAlive(recordedPids(r));
  }

  @Test
  void backgroundChildrenDoNotOutliveANormalExit() throws Exception {
    ProcessReport r = run(FAMILY + "echo done", limits(60, 30, 1024), Map.of(), 1 << 20);
    assertThat(r.outcome()).isEqualTo(Outcome.OK);
    assertThat(r.exitCode()).isZero();
    assertNoneAlive(recordedPids(r));
  }

  @Test
  void exitCodesAndMissingExecutablesAreClassified() {
    ProcessReport r = run("echo bye >&2; exit 3", limits(60, 30, 1024), Map.of(), 1 << 20);
    assertThat(r.outcome()).isEqualTo(Outcome.EXIT_NONZERO);
    assertThat(r.exitCode()).isEqualTo(3);

    ProcessReport missing =
        new SupervisedProcess(
                List.of(dir.resolve("no-such-shim").toString()),
                dir,
                Map.of(),
                limits(5, 5, 64),
                dir.resolve("o.log"),
                dir.resolve("e.log"),
                1024,
                null,
                null)
            .run();
    assertThat(missing.outcome()).isEqualTo(Outcome.SPAWN_FAILED);
    assertThat(missing.detail()).contains("not found or is not executable");
  }

  @Test
  void evidenceIsCappedAndSecretsAreRedacted() throws Exception {
    Map<String, String> env =
        Map.of("MY_API_TOKEN", "s3cr3t-value-42", "HARMLESS", "s3cr3t-value-42x");
    ProcessReport r =
        run(
            "echo token=$MY_API_TOKEN; echo err $MY_API_TOKEN >&2; head -c 100000 /dev/zero | tr '\\0' x",
            limits(60, 30, 1024),
            env,
            1000);
    assertThat(r.outcome()).isEqualTo(Outcome.OK);
    assertThat(r.truncated()).isTrue();
    assertThat(r.stdoutBytes()).isGreaterThan(100_000);
    String out = Files.readString(dir.resolve("out.log"));
    assertThat(out).startsWith("token=***").doesNotContain("s3cr3t-value-42");
    assertThat(Files.size(dir.resolve("out.log"))).isLessThanOrEqualTo(1000);
    assertThat(Files.readString(dir.resolve("err.log"))).isEqualTo("err ***\n");
    assertThat(r.stdout()).doesNotContain("s3cr3t");
  }

  @Test
  void progressIsReportedWhileOutputFlows() {
    AtomicLong maxBytes = new AtomicLong();
    ProcessReport r =
        run(
            "for i in 1 2 3 4 5 6; do echo progress-$i; sleep 0.15; done",
            limits(60, 30, 1024),
            Map.of(),
            1 << 20,
            (bytes, last) -> maxBytes.accumulateAndGet(bytes, Math::max));
    assertThat(r.outcome()).isEqualTo(Outcome.OK);
    assertThat(maxBytes.get()).isGreaterThan(0);
  }

  @Test
  void anObserverStopsTheWholeTreeTheMomentTheBudgetIsPassed() throws Exception {
    // running totals grow by 1000 tokens every 100 ms; the budget is 3500
    String script =
        FAMILY
            + "for i in $(seq 1 300); do "
            + "echo \"AIFLOW-USAGE {\\\"input_tokens\\\":$((i * 1000))}\"; sleep 0.1; done";
    UsageMeter meter = new UsageMeter(new StepBudget(3500L, null, null));
    long start = System.nanoTime();
    ProcessReport report =
        new SupervisedProcess(
                List.of("bash", "-c", script),
                dir,
                Map.of(),
                limits(60, 30, 512),
                dir.resolve("out.log"),
                dir.resolve("err.log"),
                1 << 20,
                ProgressListener.NONE,
                new SecretRedactor(Map.of()))
            .observeStdout(meter)
            .run();
    assertThat(report.outcome()).isEqualTo(Outcome.BUDGET);
    assertThat(report.detail()).contains("4000 tokens, over max_tokens=3500");
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(10));
    assertThat(meter.usage().inputTokens()).isBetween(4000L, 6000L);
    assertNoneAlive(recordedPids(report));
  }

  @Test
  void anObserverSeesEveryLineEvenPastTheEvidenceCap() {
    List<String> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    ProcessReport report =
        new SupervisedProcess(
                List.of("bash", "-c", "head -c 5000 /dev/zero | tr '\\0' x; echo; echo last line"),
                dir,
                Map.of(),
                limits(60, 30, 512),
                dir.resolve("out.log"),
                dir.resolve("err.log"),
                100,
                ProgressListener.NONE,
                new SecretRedactor(Map.of()))
            .observeStdout(
                line -> {
                  seen.add(line);
                  return null;
                })
            .run();
    assertThat(report.outcome()).isEqualTo(Outcome.OK);
    assertThat(report.truncated()).isTrue();
    assertThat(seen).hasSize(2).last().isEqualTo("last line");
  }
}
