package dev.aiflow.observe;

import dev.aiflow.protocol.AcceptanceCriterion;
import dev.aiflow.protocol.StepSpec;
import dev.aiflow.worker.Launch;
import dev.aiflow.worker.ProcessLimits;
import dev.aiflow.worker.ProcessReport;
import dev.aiflow.worker.ProgressListener;
import dev.aiflow.worker.SandboxPolicy;
import dev.aiflow.worker.SecretRedactor;
import dev.aiflow.worker.SupervisedProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Re-runs what proves a step: every {@code required_commands} entry and every acceptance
 * criterion's {@code verification} command (a command that is both runs once), each under {@link
 * SupervisedProcess} with the kernel's own limits, in the workspace, in the sandbox (without
 * network unless configured), with a clean environment: only the allowed variables of the server's
 * environment (by default {@code PATH}, {@code LANG}, {@code LC_ALL}, {@code LC_CTYPE}, {@code TZ})
 * and a private, empty {@code HOME}. No agent credential reaches a verification run.
 */
public final class KernelRunner {

  /**
   * The kernel's limits and environment for verification runs ({@code
   * aiflow.worker.verification.*}).
   *
   * @param maxRuntime per command
   * @param maxSilence per command: no output for this long stops it
   * @param maxMemoryMb the resident memory of the command's whole process tree
   * @param environment the names taken from the server's environment
   * @param captureCap bytes of stdout and of stderr kept per command
   * @param grace between SIGTERM and SIGKILL
   */
  public record Settings(
      Duration maxRuntime,
      Duration maxSilence,
      long maxMemoryMb,
      List<String> environment,
      long captureCap,
      Duration grace) {

    public static final List<String> DEFAULT_ENVIRONMENT =
        List.of("PATH", "LANG", "LC_ALL", "LC_CTYPE", "TZ");

    public Settings {
      maxRuntime = maxRuntime == null ? Duration.ofMinutes(10) : maxRuntime;
      maxSilence = maxSilence == null ? Duration.ofMinutes(5) : maxSilence;
      maxMemoryMb = maxMemoryMb <= 0 ? 4096 : maxMemoryMb;
      environment = environment == null ? DEFAULT_ENVIRONMENT : List.copyOf(environment);
      captureCap = captureCap <= 0 ? SupervisedProcess.DEFAULT_CAPTURE_CAP : captureCap;
      grace = grace == null ? Duration.ofSeconds(2) : grace;
    }

    /** 10 minutes, 5 minutes of silence, 4096 MiB, the default environment. */
    public static Settings defaults() {
      return new Settings(null, null, 0, null, 0, null);
    }

    public Settings withLimits(Duration runtime, Duration silence, long memoryMb) {
      return new Settings(runtime, silence, memoryMb, environment, captureCap, grace);
    }

    ProcessLimits limits() {
      return new ProcessLimits(maxRuntime, maxSilence, maxMemoryMb * 1024L * 1024L, grace);
    }
  }

  /** A run before its output files are moved into the kernel's evidence folder. */
  record Raw(
      String id,
      String command,
      boolean required,
      List<String> criteria,
      ProcessReport report,
      Path stdout,
      Path stderr,
      String sandbox,
      boolean network) {}

  private final Settings settings;
  private final SandboxPolicy sandbox;
  private final SecretRedactor redactor;

  public KernelRunner(Settings settings, SandboxPolicy sandbox) {
    this.settings = settings == null ? Settings.defaults() : settings;
    this.sandbox = sandbox == null ? SandboxPolicy.none() : sandbox;
    this.redactor = SecretRedactor.fromSystemEnvironment();
  }

  public Settings settings() {
    return settings;
  }

  public SandboxPolicy sandbox() {
    return sandbox;
  }

  /** The commands the kernel will run for {@code spec}, in order, each once. */
  public static Map<String, Purpose> plan(StepSpec spec) {
    Map<String, Purpose> plan = new LinkedHashMap<>();
    for (String c : spec.requiredCommands()) {
      plan.computeIfAbsent(normalise(c), k -> new Purpose(c, new ArrayList<>())).required = true;
    }
    for (AcceptanceCriterion ac : spec.acceptanceCriteria()) {
      String v = ac.verification();
      if (v != null && !v.isBlank()) {
        plan.computeIfAbsent(normalise(v), k -> new Purpose(v, new ArrayList<>()))
            .criteria
            .add(ac.id());
      }
    }
    return plan;
  }

  /** Why a command runs. */
  public static final class Purpose {
    final String command;
    final List<String> criteria;
    boolean required;

    Purpose(String command, List<String> criteria) {
      this.command = command;
      this.criteria = criteria;
    }

    public String command() {
      return command;
    }

    public boolean required() {
      return required;
    }

    public List<String> criteria() {
      return List.copyOf(criteria);
    }
  }

  /** Commands match after trimming and collapsing whitespace (as the QA gate matches them). */
  public static String normalise(String command) {
    return command.strip().replaceAll("\\s+", " ");
  }

  /**
   * Runs the plan of {@code spec} in {@code workspace}, keeping the output in {@code scratch} (a
   * folder outside the workspace: nothing a verification run does can touch it).
   */
  List<Raw> run(StepSpec spec, Path workspace, Path scratch, ProgressListener listener) {
    List<Raw> runs = new ArrayList<>();
    String shell =
        Files.isExecutable(Path.of("/bin/bash"))
            ? "/bin/bash"
            : Files.isExecutable(Path.of("/usr/bin/bash")) ? "/usr/bin/bash" : "/bin/sh";
    int n = 0;
    for (Purpose p : plan(spec).values()) {
      n++;
      String id = "run-" + n;
      Path home = null;
      try {
        Files.createDirectories(scratch);
        Map<String, String> fixed = new LinkedHashMap<>();
        if (sandbox.sandbox().isolated()) {
          fixed.put("HOME", "/tmp"); // the sandbox's /tmp is private and empty
        } else {
          home = Files.createTempDirectory("aiflow-kernel-home-");
          fixed.put("HOME", home.toString());
        }
        fixed.put("AIFLOW_KERNEL_RUN", id);
        Launch launch = sandbox.forVerification(settings.environment(), fixed);
        Path out = scratch.resolve(id + ".stdout.log");
        Path err = scratch.resolve(id + ".stderr.log");
        ProcessReport report =
            new SupervisedProcess(
                    List.of(shell, "-c", p.command()),
                    workspace,
                    Map.of(),
                    settings.limits(),
                    out,
                    err,
                    settings.captureCap(),
                    listener,
                    redactor)
                .launch(launch)
                .run();
        runs.add(
            new Raw(
                id,
                p.command(),
                p.required(),
                p.criteria(),
                report,
                out,
                err,
                launch.sandboxName(),
                launch.network()));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot prepare the kernel run " + id, e);
      } finally {
        if (home != null) {
          try {
            KernelEvidence.deleteTree(home);
          } catch (IOException e) {
            // a temporary folder; the system cleans it
          }
        }
      }
      if (listener != null && listener.cancelled()) {
        break;
      }
    }
    return runs;
  }
}
