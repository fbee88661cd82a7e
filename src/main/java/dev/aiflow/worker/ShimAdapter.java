package dev.aiflow.worker;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aiflow.protocol.Protocol;
import dev.aiflow.protocol.ReworkPack;
import dev.aiflow.protocol.StepPack;
import dev.aiflow.protocol.StepResult;
import dev.aiflow.protocol.StepSpec;
import dev.aiflow.protocol.WorkspacePath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a StepPack or ReworkPack through the shim: validates it, renders the prompt, builds the
 * command line, runs it supervised in the workspace (under the JVM-wide parallel cap), keeps
 * stdout, stderr, the prompt and a dispatch record as evidence in the step's {@code evidence_dir},
 * and extracts exactly one StepResult. Every failure is a classified outcome, never a crash.
 */
public final class ShimAdapter {

  /**
   * How to run the shim.
   *
   * @param shim the executable (a name on PATH or a path), or {@value SelfLauncher#BUILTIN} (the
   *     default) for aiflow's own {@code aiflow shim}
   * @param workspace the folder the agent works in (its current directory)
   * @param maxParallelSteps the cap on agent runs at once in this JVM
   * @param grace time between SIGTERM and SIGKILL when a run is stopped
   * @param captureCap bytes of stdout and of stderr kept as evidence
   * @param environment extra environment variables for the shim
   */
  public record Config(
      String shim,
      Path workspace,
      int maxParallelSteps,
      Duration grace,
      long captureCap,
      Map<String, String> environment) {

    public static final String DEFAULT_SHIM = SelfLauncher.BUILTIN;

    public Config {
      environment = environment == null ? Map.of() : Map.copyOf(environment);
    }

    public static Config of(String shim, Path workspace) {
      return new Config(
          shim == null ? DEFAULT_SHIM : shim,
          workspace,
          1,
          Duration.ofSeconds(2),
          SupervisedProcess.DEFAULT_CAPTURE_CAP,
          Map.of());
    }

    public Config withMaxParallelSteps(int value) {
      return new Config(shim, workspace, value, grace, captureCap, environment);
    }

    public Config withEnvironment(Map<String, String> value) {
      return new Config(shim, workspace, maxParallelSteps, grace, captureCap, value);
    }

    public Config withGrace(Duration value) {
      return new Config(shim, workspace, maxParallelSteps, value, captureCap, environment);
    }
  }

  /** What a dry run would do. */
  public record DryRun(
      String command, ProcessLimits limits, String evidenceDir, int maxParallelSteps) {}

  private static final ObjectMapper JSON =
      JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();

  private final Config config;
  private final PromptRenderer prompts;
  private final SecretRedactor redactor;
  private final SandboxPolicy sandbox;

  public ShimAdapter(Config config, PromptRenderer prompts, SecretRedactor redactor) {
    this(config, prompts, redactor, SandboxPolicy.none());
  }

  /**
   * @param sandbox how agent runs start: sandboxed or not, network per backend and tier, recorded
   *     (docs/sandbox.md)
   */
  public ShimAdapter(
      Config config, PromptRenderer prompts, SecretRedactor redactor, SandboxPolicy sandbox) {
    this.config = config;
    this.prompts = prompts;
    this.redactor = redactor;
    this.sandbox = sandbox == null ? SandboxPolicy.none() : sandbox;
  }

  /** The same adapter, starting agents under {@code value}. */
  public ShimAdapter withSandbox(SandboxPolicy value) {
    return new ShimAdapter(config, prompts, redactor, value);
  }

  public SandboxPolicy sandbox() {
    return sandbox;
  }

  public static ShimAdapter of(Config config) {
    return new ShimAdapter(
        config, PromptRenderer.bundled(), SecretRedactor.fromSystemEnvironment());
  }

  public Config config() {
    return config;
  }

  // ------------------------------------------------------------------ commands

  public ShimInvocation invocation(StepPack pack) {
    Protocol.validate(Protocol.Kind.STEP_PACK, pack);
    return ShimInvocation.create(
        config.shim(),
        prompts.render(pack),
        pack.worker().backend(),
        pack.runId(),
        pack.taskId(),
        pack.stepId());
  }

  public ShimInvocation invocation(ReworkPack pack, String threadId) {
    Protocol.validate(Protocol.Kind.REWORK_PACK, pack);
    return ShimInvocation.resume(
        config.shim(),
        prompts.render(pack),
        threadId,
        pack.worker().backend(),
        pack.runId(),
        pack.taskId(),
        pack.stepId());
  }

  public DryRun dryRun(StepPack pack) {
    return new DryRun(
        invocation(pack).quoted(),
        ProcessLimits.of(pack.limits()).withGrace(config.grace()),
        pack.evidenceDir(),
        config.maxParallelSteps());
  }

  public DryRun dryRun(ReworkPack pack, String threadId) {
    return new DryRun(
        invocation(pack, threadId).quoted(),
        ProcessLimits.of(pack.limits()).withGrace(config.grace()),
        pack.evidenceDir(),
        config.maxParallelSteps());
  }

  // ------------------------------------------------------------------ dispatch

  public DispatchOutcome dispatch(StepPack pack, ProgressListener listener) {
    return run(pack, invocation(pack), null, listener);
  }

  public DispatchOutcome dispatch(ReworkPack pack, String threadId, ProgressListener listener) {
    return run(pack, invocation(pack, threadId), threadId, listener);
  }

  private DispatchOutcome run(
      StepSpec spec, ShimInvocation invocation, String threadId, ProgressListener listener) {
    WorkspacePath evidence = WorkspacePath.check(config.workspace(), spec.evidenceDir());
    if (!evidence.safe()) {
      throw new IllegalArgumentException(
          "evidence_dir '" + spec.evidenceDir() + "' is not usable: " + evidence.problem());
    }
    Path dir = config.workspace().resolve(evidence.normalised());
    Map<String, String> env = new HashMap<>(config.environment());
    env.put("AIFLOW_RUN_ID", spec.runId());
    env.put("AIFLOW_TASK_ID", spec.taskId());
    env.put("AIFLOW_STEP_ID", spec.stepId());
    env.put("AIFLOW_EVIDENCE_DIR", evidence.normalised());
    env.put("AIFLOW_WORKSPACE", config.workspace().toAbsolutePath().toString());
    budgetEnvironment(spec, env);
    ProcessLimits limits = ProcessLimits.of(spec.limits()).withGrace(config.grace());
    UsageMeter meter = new UsageMeter(StepBudget.of(spec.limits()));
    Launch launch =
        sandbox
            .forAgent(invocation.backend(), spec instanceof StepPack p ? p.tier() : null)
            .readable(SelfLauncher.readable(config.shim()));
    Instant started = Instant.now();
    ProcessReport report;
    try {
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("prompt.md"), invocation.prompt(), StandardCharsets.UTF_8);
      try (AutoCloseable slot = ParallelGate.enter(config.maxParallelSteps())) {
        report =
            new SupervisedProcess(
                    invocation.command(),
                    config.workspace(),
                    env,
                    limits,
                    dir.resolve("shim.stdout.log"),
                    dir.resolve("shim.stderr.log"),
                    config.captureCap(),
                    listener,
                    redactor)
                .observeStdout(meter)
                .launch(launch)
                .run();
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the evidence folder " + dir, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while waiting for a free agent slot", e);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
    DispatchOutcome outcome =
        classify(spec, invocation, threadId, evidence.normalised(), report, meter);
    writeRecord(dir, outcome, started, limits, meter, launch);
    return outcome;
  }

  /**
   * What the shim may pass on to the agent CLI: the tier (for its permission policy), the model,
   * and the budget (for the CLI's own caps). The kernel enforces the budget either way. A value the
   * configuration already sets (e.g. the tier of a rework, which its pack does not carry) is kept.
   */
  private void budgetEnvironment(StepSpec spec, Map<String, String> env) {
    if (spec instanceof StepPack pack && pack.tier() != null) {
      env.putIfAbsent("AIFLOW_TIER", pack.tier());
    }
    if (spec.worker() != null && spec.worker().model() != null) {
      env.putIfAbsent("AIFLOW_MODEL", spec.worker().model());
    }
    env.put("AIFLOW_MAX_RUNTIME_SEC", String.valueOf(spec.limits().maxRuntimeSec()));
    if (spec.limits().maxTokens() != null) {
      env.put("AIFLOW_MAX_TOKENS", String.valueOf(spec.limits().maxTokens()));
    }
    if (spec.limits().maxCostUsd() != null) {
      env.put("AIFLOW_MAX_COST_USD", String.valueOf(spec.limits().maxCostUsd()));
    }
    if (spec.limits().maxTurns() != null) {
      env.put("AIFLOW_MAX_TURNS", String.valueOf(spec.limits().maxTurns()));
    }
  }

  private DispatchOutcome classify(
      StepSpec spec,
      ShimInvocation invocation,
      String threadId,
      String evidenceDir,
      ProcessReport report,
      UsageMeter meter) {
    String backend = invocation.backend();
    AgentUsage usage = meter.usage();
    if (usage.reported() && usage.backend() == null) {
      usage = usage.withBackend(backend);
    }
    String knownThread = usage.threadId() != null ? usage.threadId() : threadId;
    List<String> logs = List.of(evidenceDir + "/shim.stdout.log", evidenceDir + "/shim.stderr.log");
    boolean supervisorStopped =
        report.outcome() != Outcome.OK && report.outcome() != Outcome.EXIT_NONZERO;
    if (!supervisorStopped && meter.reported().isPresent()) {
      // the shim classified the agent CLI's own failure (auth, rate limit, its own budget cap...)
      UsageLines.Reported r = meter.reported().get();
      return new DispatchOutcome(
          r.outcome(),
          synthesized(spec, r.outcome(), r.detail(), knownThread, logs),
          invocation.summary(),
          evidenceDir,
          backend,
          report,
          usage);
    }
    if (report.outcome() != Outcome.OK) {
      StepResultExtractor.Extraction partial = StepResultExtractor.extract(report.stdout());
      String thread =
          partial.ok() && partial.result().threadId() != null
              ? partial.result().threadId()
              : knownThread;
      return new DispatchOutcome(
          report.outcome(),
          synthesized(spec, report.outcome(), report.detail(), thread, logs),
          invocation.summary(),
          evidenceDir,
          backend,
          report,
          usage);
    }
    StepResultExtractor.Extraction extraction = StepResultExtractor.extract(report.stdout());
    if (!extraction.ok()) {
      return new DispatchOutcome(
          extraction.failure(),
          synthesized(spec, extraction.failure(), extraction.detail(), knownThread, logs),
          invocation.summary(),
          evidenceDir,
          backend,
          report,
          usage);
    }
    return new DispatchOutcome(
        Outcome.OK, extraction.result(), invocation.summary(), evidenceDir, backend, report, usage);
  }

  private static StepResult synthesized(
      StepSpec spec, Outcome outcome, String detail, String threadId, List<String> logs) {
    StepResult base =
        StepResult.synthesized(
            spec.runId(), spec.taskId(), spec.stepId(), outcome.name(), truncate(detail), threadId);
    return new StepResult(
        base.schema(),
        base.runId(),
        base.taskId(),
        base.stepId(),
        base.result(),
        base.reasonCode(),
        base.reasonDetail(),
        base.changedFiles(),
        base.commands(),
        base.acceptance(),
        logs,
        base.threadId(),
        base.nextAction());
  }

  private static String truncate(String detail) {
    String d = detail == null ? "" : detail;
    return d.length() > 4000 ? d.substring(0, 4000) + "..." : d;
  }

  private void writeRecord(
      Path dir,
      DispatchOutcome outcome,
      Instant started,
      ProcessLimits limits,
      UsageMeter meter,
      Launch launch) {
    ObjectNode record = JSON.createObjectNode();
    record.put("command", outcome.command());
    record.put("backend", outcome.backend());
    record.put("started_at", started.toString());
    record.put("elapsed_ms", outcome.process().elapsed().toMillis());
    record.put("outcome", outcome.outcome().name());
    record.put("exit_code", outcome.process().exitCode());
    record.put("detail", outcome.process().detail());
    record.put("stdout_bytes", outcome.process().stdoutBytes());
    record.put("stderr_bytes", outcome.process().stderrBytes());
    record.put("evidence_truncated", outcome.process().truncated());
    record.put("peak_memory_bytes", outcome.process().peakMemoryBytes());
    record.put("sandbox", launch.sandboxName());
    record.put("network", launch.network());
    ObjectNode l = record.putObject("limits");
    l.put("max_runtime_sec", limits.maxRuntime().toSeconds());
    l.put("max_silence_sec", limits.maxSilence().toSeconds());
    l.put("max_memory_mb", limits.maxMemoryBytes() / (1024 * 1024));
    l.put("max_parallel_steps", config.maxParallelSteps());
    StepBudget budget = meter.budget();
    if (budget.maxTokens() != null) {
      l.put("max_tokens", budget.maxTokens());
    }
    if (budget.maxCostUsd() != null) {
      l.put("max_cost_usd", budget.maxCostUsd());
    }
    if (budget.maxTurns() != null) {
      l.put("max_turns", budget.maxTurns());
    }
    record.set("usage", outcome.usage().toTree());
    meter.exceeded().ifPresent(reason -> record.put("budget_exceeded", reason));
    budget
        .unenforceable(outcome.usage())
        .ifPresent(what -> record.put("budget_not_enforceable", what));
    try {
      Files.writeString(dir.resolve("dispatch.json"), JSON.writeValueAsString(record) + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + dir.resolve("dispatch.json"), e);
    }
  }
}
