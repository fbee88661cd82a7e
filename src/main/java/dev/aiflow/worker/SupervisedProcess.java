package dev.aiflow.worker;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs one command under limits: wall-clock runtime, silence (no byte on stdout or stderr), and the
 * resident memory of its whole process tree, sampled. On a breach, and after a normal exit too, the
 * whole tree is stopped (SIGTERM, then SIGKILL), so no orphan survives. Stdout and stderr are kept
 * as evidence files with a size cap, with secrets from the environment redacted.
 */
public final class SupervisedProcess {

  /** Evidence kept per stream; bytes beyond it are counted, not stored. */
  public static final long DEFAULT_CAPTURE_CAP = 16L * 1024 * 1024;

  private static final long TICK_MILLIS = 100;
  private static final long MEMORY_SAMPLE_NANOS = 200_000_000L;

  private final List<String> command;
  private final Path workDir;
  private final Map<String, String> environment;
  private final ProcessLimits limits;
  private final Path stdoutFile;
  private final Path stderrFile;
  private final long captureCap;
  private final ProgressListener listener;
  private final SecretRedactor redactor;
  private volatile OutputObserver observer = OutputObserver.NONE;
  private Launch launch = Launch.direct();

  public SupervisedProcess(
      List<String> command,
      Path workDir,
      Map<String, String> environment,
      ProcessLimits limits,
      Path stdoutFile,
      Path stderrFile,
      long captureCap,
      ProgressListener listener,
      SecretRedactor redactor) {
    this.command = List.copyOf(command);
    this.workDir = workDir;
    this.environment = Map.copyOf(environment);
    this.limits = limits;
    this.stdoutFile = stdoutFile;
    this.stderrFile = stderrFile;
    this.captureCap = captureCap;
    this.listener = listener == null ? ProgressListener.NONE : listener;
    this.redactor = redactor;
  }

  /**
   * Lets {@code value} see every stdout line as it arrives; when it asks for a stop, the whole tree
   * is stopped at the next tick with the outcome it names (budgets, docs/operations.md).
   */
  public SupervisedProcess observeStdout(OutputObserver value) {
    this.observer = value == null ? OutputObserver.NONE : value;
    return this;
  }

  /**
   * Starts the command through {@code value}: in a sandbox, with a clean environment, recorded (see
   * {@link Launch}); {@link Launch#direct()} when never called.
   */
  public SupervisedProcess launch(Launch value) {
    this.launch = value == null ? Launch.direct() : value;
    return this;
  }

  public ProcessReport run() {
    long start = System.nanoTime();
    Optional<Path> executable = ProcessTree.findExecutable(command.get(0));
    if (executable.isEmpty()) {
      return spawnFailed(
          start, "the shim '" + command.get(0) + "' was not found or is not executable");
    }
    // a relative path is meant from here, not from the agent's workspace
    List<String> resolved = new java.util.ArrayList<>(command);
    resolved.set(
        0,
        command.get(0).contains("/")
            ? executable.get().toAbsolutePath().toString()
            : command.get(0));
    Process process;
    String mark = java.util.UUID.randomUUID().toString();
    try {
      Files.createDirectories(stdoutFile.getParent());
      Files.createDirectories(stderrFile.getParent());
      ProcessBuilder builder =
          new ProcessBuilder(launch.argv(resolved, workDir))
              .directory(workDir.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(nullDevice()));
      launch.environment(builder.environment(), environment, mark);
      process = builder.start();
    } catch (IOException e) {
      return spawnFailed(start, "could not start '" + command.get(0) + "': " + e.getMessage());
    }
    AgentRecords.Registration record;
    try {
      record = register(process, mark);
    } catch (RuntimeException e) {
      // a run nobody could find after a crash is not started at all
      ProcessTree.stop(
          ProcessTree.treePids(process.toHandle()),
          ProcessTree.isolates() ? Set.of(process.pid()) : Set.of(),
          ProcessTree.isolates() ? Set.of(process.pid()) : Set.of(),
          mark,
          limits.grace());
      return spawnFailed(start, "could not record the run: " + e.getMessage());
    }
    try (record) {
      return supervise(process, start, mark);
    }
  }

  private AgentRecords.Registration register(Process process, String mark) {
    return launch.records() == null
        ? null
        : launch.records().register(process.pid(), mark, workDir, launch.label());
  }

  private ProcessReport supervise(Process process, long start, String mark) {

    AtomicLong lastOutput = new AtomicLong(System.nanoTime());
    AtomicReference<OutputObserver.Stop> stopRequest = new AtomicReference<>();
    OutputObserver watching = observer;
    LineSplitter lines =
        watching == OutputObserver.NONE
            ? null
            : new LineSplitter(
                line -> {
                  OutputObserver.Stop stop = watching.onStdoutLine(line);
                  if (stop != null) {
                    stopRequest.compareAndSet(null, stop);
                  }
                });
    Pump out = new Pump(process.getInputStream(), stdoutFile, captureCap, lastOutput, true, lines);
    Pump err = new Pump(process.getErrorStream(), stderrFile, captureCap, lastOutput, false, null);
    out.start();
    err.start();

    Set<Long> seen = new HashSet<>(ProcessTree.treePids(process.toHandle()));
    Outcome breach = null;
    String detail = null;
    long peak = 0;
    long nextSample = start;
    try {
      while (!process.waitFor(TICK_MILLIS, TimeUnit.MILLISECONDS)) {
        long now = System.nanoTime();
        OutputObserver.Stop requested = stopRequest.get();
        if (requested != null) {
          breach = requested.outcome();
          detail = requested.detail();
          break;
        }
        if (now >= nextSample) {
          Set<Long> tree = ProcessTree.treePids(process.toHandle());
          if (ProcessTree.isolates() && !launch.sandboxed()) {
            // re-parented processes that stayed in the run's session or group count too
            tree.addAll(ProcessTree.members(Set.of(process.pid()), Set.of(process.pid())));
          }
          seen.addAll(tree);
          long resident = ProcessTree.residentBytes(tree);
          peak = Math.max(peak, resident);
          nextSample = now + MEMORY_SAMPLE_NANOS;
          if (resident > limits.maxMemoryBytes()) {
            breach = Outcome.MEMORY;
            detail =
                "the process tree used "
                    + resident / (1024 * 1024)
                    + " MiB, over max_memory_mb="
                    + limits.maxMemoryBytes() / (1024 * 1024);
            break;
          }
        }
        if (now - start > limits.maxRuntime().toNanos()) {
          breach = Outcome.TIMEOUT;
          detail = "still running after max_runtime_sec=" + limits.maxRuntime().toSeconds();
          break;
        }
        if (now - lastOutput.get() > limits.maxSilence().toNanos()) {
          breach = Outcome.SILENCE;
          detail =
              "no output on stdout or stderr for max_silence_sec="
                  + limits.maxSilence().toSeconds();
          break;
        }
        listener.onProgress(
            out.bytes.get() + err.bytes.get(), Instant.now().minusNanos(now - lastOutput.get()));
        if (listener.cancelled()) {
          // the task was withdrawn (its lock lost) or the worker is stopping: stop the tree now
          breach = Outcome.CANCELLED;
          detail = "the run was withdrawn (lock lost or the worker is stopping)";
          break;
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      breach = Outcome.CANCELLED;
      detail = "the supervisor was interrupted (the worker is stopping)";
    }

    // Stop whatever is left: the tree on a breach, and background children after a normal exit.
    seen.addAll(ProcessTree.treePids(process.toHandle()));
    seen.add(process.pid());
    // started by setsid in the JVM's (non-leader) child, the agent leads its own group and
    // session: pgid = sid = pid
    Set<Long> groups = ProcessTree.isolates() ? Set.of(process.pid()) : Set.of();
    Set<Long> survivors = ProcessTree.stop(seen, groups, groups, mark, limits.grace());
    out.join(Duration.ofSeconds(5));
    err.join(Duration.ofSeconds(5));
    int exitCode = -1;
    if (breach == null) {
      exitCode = process.exitValue();
      detail = "exited " + exitCode;
      OutputObserver.Stop late = stopRequest.get(); // the line came as the process ended
      if (late != null) {
        breach = late.outcome();
        detail = late.detail() + " (" + detail + ")";
      }
    }
    if (!survivors.isEmpty()) {
      detail += "; could not stop pids " + survivors;
    }
    Outcome outcome = breach != null ? breach : exitCode == 0 ? Outcome.OK : Outcome.EXIT_NONZERO;
    String stdout = redact(out, stdoutFile);
    redact(err, stderrFile);
    return new ProcessReport(
        outcome,
        exitCode,
        detail,
        stdout,
        stdoutFile,
        stderrFile,
        out.bytes.get(),
        err.bytes.get(),
        out.truncated.get() || err.truncated.get(),
        Duration.ofNanos(System.nanoTime() - start),
        peak,
        process.pid());
  }

  private ProcessReport spawnFailed(long start, String detail) {
    try {
      Files.createDirectories(stderrFile.getParent());
      Files.writeString(stdoutFile, "");
      Files.writeString(stderrFile, detail + "\n");
    } catch (IOException e) {
      // the evidence folder is not writable either; the report still says what happened
    }
    return new ProcessReport(
        Outcome.SPAWN_FAILED,
        -1,
        detail,
        "",
        stdoutFile,
        stderrFile,
        0,
        0,
        false,
        Duration.ofNanos(System.nanoTime() - start),
        0,
        -1);
  }

  /** Redacts the evidence file in place (secrets may be split across reads) and the capture. */
  private String redact(Pump pump, Path file) {
    String captured = pump.captured.toString(StandardCharsets.UTF_8);
    if (redactor == null || redactor.isEmpty()) {
      return captured;
    }
    try {
      String onDisk = Files.readString(file, StandardCharsets.UTF_8);
      String clean = redactor.redact(onDisk);
      if (!clean.equals(onDisk)) {
        Files.writeString(file, clean, StandardCharsets.UTF_8);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot redact " + file, e);
    } catch (RuntimeException e) {
      // not UTF-8 text: leave the bytes as the agent wrote them
    }
    return redactor.redact(captured);
  }

  private static java.io.File nullDevice() {
    return new java.io.File(
        System.getProperty("os.name").startsWith("Windows") ? "NUL" : "/dev/null");
  }

  /** Copies one stream to its evidence file (up to the cap) and notes when bytes arrive. */
  private static final class Pump extends Thread {
    private final InputStream in;
    private final Path file;
    private final long cap;
    private final AtomicLong lastOutput;
    private final boolean capture;
    private final LineSplitter lines;
    final AtomicLong bytes = new AtomicLong();
    final AtomicBoolean truncated = new AtomicBoolean();
    final ByteArrayOutputStream captured = new ByteArrayOutputStream();

    Pump(
        InputStream in,
        Path file,
        long cap,
        AtomicLong lastOutput,
        boolean capture,
        LineSplitter lines) {
      super("supervisor-pump-" + file.getFileName());
      setDaemon(true);
      this.in = in;
      this.file = file;
      this.cap = cap;
      this.lastOutput = lastOutput;
      this.capture = capture;
      this.lines = lines;
    }

    @Override
    public void run() {
      byte[] buf = new byte[8192];
      try (in;
          OutputStream evidence = Files.newOutputStream(file)) {
        int n;
        while ((n = in.read(buf)) > 0) {
          lastOutput.set(System.nanoTime());
          long before = bytes.getAndAdd(n);
          int keep = (int) Math.max(0, Math.min(n, cap - before));
          if (keep > 0) {
            evidence.write(buf, 0, keep);
            if (capture) {
              synchronized (captured) {
                captured.write(buf, 0, keep);
              }
            }
          }
          if (keep < n) {
            truncated.set(true);
          }
          if (lines != null) {
            lines.accept(buf, 0, n);
          }
        }
      } catch (IOException e) {
        // the pipe closed when the tree was stopped: what was read is kept
      }
      if (lines != null) {
        lines.finish();
      }
    }

    void join(Duration timeout) {
      try {
        join(timeout.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
