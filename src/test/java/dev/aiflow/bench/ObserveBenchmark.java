package dev.aiflow.bench;

import dev.aiflow.observe.ChangeSet;
import dev.aiflow.observe.KernelRunner;
import dev.aiflow.observe.WorkspaceObserver;
import dev.aiflow.observe.WorkspaceSnapshot;
import dev.aiflow.protocol.AcceptanceCriterion;
import dev.aiflow.protocol.Limits;
import dev.aiflow.protocol.StepPack;
import dev.aiflow.protocol.Worker;
import dev.aiflow.worker.DispatchOutcome;
import dev.aiflow.worker.Launch;
import dev.aiflow.worker.ProcessLimits;
import dev.aiflow.worker.ProcessReport;
import dev.aiflow.worker.ProgressListener;
import dev.aiflow.worker.PromptRenderer;
import dev.aiflow.worker.Sandbox;
import dev.aiflow.worker.SandboxPolicy;
import dev.aiflow.worker.SecretRedactor;
import dev.aiflow.worker.ShimAdapter;
import dev.aiflow.worker.SupervisedProcess;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of the kernel's observation and re-runs per step cycle, next to the agent's own run, in
 * the same run (docs/performance.md):
 *
 * <ul>
 *   <li>a 10,000-file workspace (100 folders of 100 files, 2 KiB each, 20 MB), as a git work tree
 *       and as a plain folder: {@code *Snapshot} is the snapshot before a dispatch, {@code
 *       *ObserveAfter} the snapshot after it, the change set and the observed patch with 10 files
 *       changed; the limits in the same run are {@code git status} and reading and hashing every
 *       byte ({@code rawHashAll});
 *   <li>{@code rerunTrue} / {@code rerunTrueBwrap}: one kernel re-run of a fast command ({@code
 *       true}) under the supervisor, without and with bubblewrap;
 *   <li>{@code agentMockShim}: the agent's own run, the mock shim's {@code pass} scenario through
 *       the shim adapter (the cheapest agent there is).
 * </ul>
 *
 * Run: {@code ./mvnw -B -Pbench verify -Dbench.args=ObserveBenchmark}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(1)
public class ObserveBenchmark {

  static final int FOLDERS = 100;
  static final int FILES_PER_FOLDER = 100;

  /** Two 10,000-file workspaces, one a git work tree, each with 10 files changed since "before". */
  @State(Scope.Benchmark)
  public static class Workspaces {
    Path root;
    Path git;
    Path plain;
    Path gitState;
    Path plainState;
    WorkspaceSnapshot gitBefore;
    WorkspaceSnapshot plainBefore;
    final WorkspaceObserver observer = WorkspaceObserver.withDefaults();
    final WorkspaceObserver manifest = WorkspaceObserver.manifestOnly(null);
    int n;

    @Setup(Level.Trial)
    public void create() throws Exception {
      root = Files.createTempDirectory("aiflow-bench-observe");
      git = Files.createDirectories(root.resolve("git"));
      plain = Files.createDirectories(root.resolve("plain"));
      fill(git);
      fill(plain);
      run(git, "git", "init", "-q");
      run(git, "git", "add", "-A");
      run(git, "git", "-c", "user.name=b", "-c", "user.email=b@b", "commit", "-q", "-m", "x");
      Thread.sleep(2100); // older than the observer's racy window, like a real checkout
      gitState = Files.createDirectories(root.resolve("state-git"));
      plainState = Files.createDirectories(root.resolve("state-plain"));
      gitBefore = observer.snapshot(git, gitState);
      plainBefore = manifest.snapshot(plain, plainState);
      for (Path ws : List.of(git, plain)) {
        for (int i = 0; i < 10; i++) {
          Files.writeString(ws.resolve("d" + i * 7 + "/f" + i + ".txt"), "changed " + i + "\n");
        }
      }
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
      try (Stream<Path> s = Files.walk(root)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }

    Path fresh(String name) throws IOException {
      return Files.createDirectories(root.resolve("scratch").resolve(name + "-" + n++));
    }
  }

  static void fill(Path ws) throws IOException {
    byte[] line =
        "the quick brown fox jumps over the lazy dog 0123456789 abcdefghijklmnopq\n"
            .getBytes(StandardCharsets.US_ASCII);
    for (int d = 0; d < FOLDERS; d++) {
      Path dir = Files.createDirectories(ws.resolve("d" + d));
      for (int f = 0; f < FILES_PER_FOLDER; f++) {
        byte[] content = new byte[2048];
        for (int i = 0; i < content.length; i++) {
          content[i] = line[(i + d + f) % line.length];
        }
        Files.write(dir.resolve("f" + f + ".txt"), content);
      }
    }
    Files.writeString(ws.resolve(".gitignore"), "*.log\n");
  }

  static String run(Path dir, String... argv) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(argv).directory(dir.toFile()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (p.waitFor() != 0) {
      throw new IllegalStateException(String.join(" ", argv) + ": " + out);
    }
    return out;
  }

  // ------------------------------------------------------------------ git work tree

  @Benchmark
  public WorkspaceSnapshot gitSnapshot(Workspaces w) throws IOException {
    return w.observer.snapshot(w.git, w.fresh("git"));
  }

  @Benchmark
  public ChangeSet gitObserveAfter(Workspaces w) throws IOException {
    WorkspaceSnapshot after = w.observer.snapshotAfter(w.gitBefore);
    ChangeSet c = w.observer.compare(w.gitBefore, after);
    Path dir = w.fresh("gitpatch");
    w.observer.writePatch(w.gitBefore, after, c, dir.resolve("p"), dir.resolve("m"));
    if (c.changes().size() != 10) {
      throw new IllegalStateException("expected 10 changes, saw " + c.changes().size());
    }
    return c;
  }

  @Benchmark
  public String rawGitStatus(Workspaces w) throws Exception {
    return run(w.git, "git", "status", "--porcelain");
  }

  // ------------------------------------------------------------------ plain folder

  @Benchmark
  public WorkspaceSnapshot manifestSnapshot(Workspaces w) throws IOException {
    return w.manifest.snapshot(w.plain, w.fresh("plain"));
  }

  @Benchmark
  public ChangeSet manifestObserveAfter(Workspaces w) throws IOException {
    WorkspaceSnapshot after = w.manifest.snapshotAfter(w.plainBefore);
    ChangeSet c = w.manifest.compare(w.plainBefore, after);
    Path dir = w.fresh("plainpatch");
    w.manifest.writePatch(w.plainBefore, after, c, dir.resolve("p.jsonl"), null);
    if (c.changes().size() != 10) {
      throw new IllegalStateException("expected 10 changes, saw " + c.changes().size());
    }
    return c;
  }

  /** The limit for a manifest: read and SHA-256 every byte of every file, nothing else. */
  @Benchmark
  public int rawHashAll(Workspaces w) throws Exception {
    List<Path> files = new ArrayList<>();
    try (Stream<Path> s = Files.walk(w.plain)) {
      s.filter(Files::isRegularFile).forEach(files::add);
    }
    MessageDigest md = MessageDigest.getInstance("SHA-256");
    byte[] buf = new byte[1 << 16];
    for (Path f : files) {
      md.reset();
      try (InputStream in = Files.newInputStream(f)) {
        int n;
        while ((n = in.read(buf)) > 0) {
          md.update(buf, 0, n);
        }
      }
      md.digest();
    }
    return files.size();
  }

  // ------------------------------------------------------------------ re-runs and the agent

  /** A folder to run commands in. */
  @State(Scope.Benchmark)
  public static class Runs {
    Path ws;
    Sandbox bwrap;
    ShimAdapter adapter;
    StepPack pack;

    @Setup(Level.Trial)
    public void create() throws IOException {
      ws = Files.createTempDirectory("aiflow-bench-runs");
      Files.createDirectories(ws.resolve("src"));
      Files.writeString(ws.resolve("src/app.txt"), "status: todo\n");
      bwrap = Sandbox.resolve(Sandbox.Mode.AUTO, null);
      String check = "grep -q 'status: done' src/app.txt";
      pack =
          new StepPack(
              StepPack.SCHEMA,
              "R-1",
              "T-1",
              "S1",
              "Finish",
              "src/app.txt says done",
              List.of("mock-scenario: pass"),
              "tier2",
              null,
              List.of("src/app.txt"),
              List.of(new AcceptanceCriterion("AC-1", "done", check)),
              List.of(check),
              ".artifacts/R-1/T-1/S1",
              new Limits(60, 20, 512),
              new Worker("mock", null));
      adapter =
          new ShimAdapter(
              new ShimAdapter.Config(
                  Path.of("examples/orchestrator/mock-shim").toAbsolutePath().toString(),
                  ws,
                  1,
                  Duration.ofMillis(500),
                  1 << 20,
                  Map.of()),
              PromptRenderer.bundled(),
              new SecretRedactor(Map.of()),
              SandboxPolicy.none());
    }

    @TearDown(Level.Trial)
    public void delete() throws IOException {
      try (Stream<Path> s = Files.walk(ws)) {
        s.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }

    ProcessReport rerun(Sandbox sandbox) {
      Launch launch =
          SandboxPolicy.of(sandbox, List.of(), null)
              .forVerification(KernelRunner.Settings.DEFAULT_ENVIRONMENT, Map.of("HOME", "/tmp"));
      ProcessReport r =
          new SupervisedProcess(
                  List.of("/bin/sh", "-c", "true"),
                  ws,
                  Map.of(),
                  new ProcessLimits(
                      Duration.ofSeconds(30),
                      Duration.ofSeconds(30),
                      256L << 20,
                      Duration.ofMillis(500)),
                  ws.resolve(".artifacts/out.log"),
                  ws.resolve(".artifacts/err.log"),
                  1 << 20,
                  ProgressListener.NONE,
                  null)
              .launch(launch)
              .run();
      if (r.exitCode() != 0) {
        throw new IllegalStateException(r.detail());
      }
      return r;
    }
  }

  @Benchmark
  public ProcessReport rerunTrue(Runs r) {
    return r.rerun(Sandbox.none());
  }

  @Benchmark
  public ProcessReport rerunTrueBwrap(Runs r) {
    if (!r.bwrap.isolated()) {
      throw new IllegalStateException("bubblewrap does not work here");
    }
    return r.rerun(r.bwrap);
  }

  @Benchmark
  public DispatchOutcome agentMockShim(Runs r) {
    DispatchOutcome d = r.adapter.dispatch(r.pack, ProgressListener.NONE);
    if (!d.ok()) {
      throw new IllegalStateException(d.process().detail());
    }
    return d;
  }
}
