package dev.aiflow.engine.dispatch;

import dev.aiflow.config.AiflowProperties;
import dev.aiflow.engine.stepcycle.StepCycleVars;
import dev.aiflow.files.PathRefusedException;
import dev.aiflow.protocol.Protocol;
import dev.aiflow.protocol.ProtocolException;
import dev.aiflow.protocol.ReworkPack;
import dev.aiflow.protocol.StepPack;
import dev.aiflow.protocol.StepSpec;
import dev.aiflow.worker.AgentUsage;
import dev.aiflow.worker.DispatchOutcome;
import dev.aiflow.worker.Outcome;
import dev.aiflow.worker.ProgressListener;
import dev.aiflow.worker.PromptRenderer;
import dev.aiflow.worker.SecretRedactor;
import dev.aiflow.worker.ShimAdapter;
import dev.aiflow.worker.ShimRegistry;
import dev.aiflow.worker.SupervisedProcess;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

/**
 * The job of a dispatch external task (topic {@value #TOPIC}), whoever runs it: the in-process
 * worker or a remote one using Camunda's external task client. It reads the pack, runs the agent
 * through the shim, keeps the lock alive while output flows (silence is the heartbeat), and says
 * how to complete the task, or why it failed.
 */
public final class AgentDispatchHandler {

  public static final String TOPIC = "aiflow-dispatch";

  /** The variables a dispatch worker fetches. */
  public static final java.util.List<String> INPUTS =
      java.util.List.of(
          StepCycleVars.STEP_PACK,
          StepCycleVars.REWORK_PACK,
          StepCycleVars.REWORK_ROUND,
          StepCycleVars.THREAD_ID,
          StepCycleVars.WORKSPACE,
          StepCycleVars.WORKER_SHIM);

  /** The tier a dispatch runs under: the step pack's (a rework pack carries none). */
  public static String tierOf(String stepPackJson) {
    try {
      return stepPackJson == null ? null : Protocol.parseStepPack(stepPackJson).tier();
    } catch (ProtocolException e) {
      return null;
    }
  }

  /** Extends the task's lock; false when the lock is gone (the agent is then stopped). */
  @FunctionalInterface
  public interface LockExtender {
    boolean extend(Duration duration);
  }

  /** What the worker does with the task. */
  public sealed interface Decision permits Complete, Fail, Abandon {}

  /** Complete with these variables (JSON documents as JSON text, to become Json values). */
  public record Complete(Map<String, Object> variables, Map<String, String> jsonVariables)
      implements Decision {}

  /** Report a failure; {@code retriable=false} makes an incident at once. */
  public record Fail(String message, String details, boolean retriable) implements Decision {}

  /** Do nothing: the task is no longer ours. */
  public record Abandon(String reason) implements Decision {}

  /**
   * What the handler needs from the task.
   *
   * @param pack the pack to dispatch: {@code reworkPack} from rework round 1 on, else {@code
   *     stepPack}
   * @param shim the name of the shim to run ({@code workerShim}), null for the default
   */
  public record Task(
      String id,
      String activityId,
      String activityInstanceId,
      String pack,
      String packKind,
      String threadId,
      String workspace,
      String shim,
      String tier) {

    /** The kind of pack: a rework from round 1 on. */
    public static String kind(Object reworkRound) {
      return reworkRound instanceof Number n && n.intValue() > 0
          ? StepCycleVars.PACK_KIND_REWORK
          : StepCycleVars.PACK_KIND_STEP;
    }

    /** Picks the pack to dispatch from the fetched variables. */
    public static String pick(Object reworkRound, String stepPack, String reworkPack) {
      return StepCycleVars.PACK_KIND_REWORK.equals(kind(reworkRound)) ? reworkPack : stepPack;
    }
  }

  private final AiflowProperties.Worker config;
  private final ShimRegistry shims;
  private final Path defaultWorkspace;
  private final WorkerKernel kernel;

  public AgentDispatchHandler(
      AiflowProperties.Worker config,
      ShimRegistry shims,
      Path defaultWorkspace,
      WorkerKernel kernel) {
    this.config = config;
    this.shims = shims;
    this.defaultWorkspace = defaultWorkspace;
    this.kernel = kernel;
  }

  /** A handler that knows only the configured shims. */
  public AgentDispatchHandler(
      AiflowProperties.Worker config, Path defaultWorkspace, WorkerKernel kernel) {
    this(config, new ShimRegistry(config.shim(), config.shims()), defaultWorkspace, kernel);
  }

  public Decision handle(Task task, LockExtender lock) {
    return handle(task, lock, () -> false);
  }

  /**
   * Runs the dispatch; when {@code withdrawn} turns true (the worker is stopping) the agent's
   * process tree is stopped at once and the decision is {@link Abandon}.
   */
  public Decision handle(Task task, LockExtender lock, BooleanSupplier withdrawn) {
    StepSpec spec;
    try {
      spec =
          StepCycleVars.PACK_KIND_REWORK.equals(task.packKind())
              ? Protocol.parseReworkPack(task.pack())
              : Protocol.parseStepPack(task.pack());
    } catch (ProtocolException e) {
      // a pack that does not parse will not parse on a retry: an incident at once
      return new Fail("the pack cannot be dispatched", e.getMessage(), false);
    }
    String shim;
    try {
      shim = shims.resolve(task.shim());
    } catch (IllegalArgumentException e) {
      return new Fail("the shim is unknown", e.getMessage(), false);
    }
    Path workspace;
    try {
      // checked again here, not taken from the intake: the variable may have changed since
      workspace = task.workspace() != null ? kernel.workspace(task.workspace()) : defaultWorkspace;
    } catch (PathRefusedException e) {
      return new Fail("the workspace is refused", e.getMessage(), false);
    }
    Map<String, String> env = new LinkedHashMap<>(kernel.agentEnvironment());
    if (task.tier() != null) {
      env.put("AIFLOW_TIER", task.tier()); // a rework pack carries no tier; its step's counts
    }
    ShimAdapter adapter =
        new ShimAdapter(
                new ShimAdapter.Config(
                    shim,
                    workspace,
                    config.maxParallelSteps(),
                    config.grace(),
                    SupervisedProcess.DEFAULT_CAPTURE_CAP,
                    env),
                PromptRenderer.bundled(),
                SecretRedactor.fromSystemEnvironment())
            .withSandbox(kernel.policy().withTier(task.tier()));
    // the lock must outlast the longest legitimate silence
    Duration lockFor =
        max(
            config.lockDuration(),
            Duration.ofSeconds(spec.limits().maxSilenceSec()).plus(config.lockMargin()));
    AtomicBoolean lost = new AtomicBoolean(!lock.extend(lockFor));
    Heartbeat heartbeat = new Heartbeat(lock, lockFor, lost, withdrawn);
    if (!java.nio.file.Files.isDirectory(workspace)) {
      return new Fail(
          "the workspace does not exist",
          "no folder at " + workspace + " to run the agent in",
          false);
    }
    try {
      // what the workspace holds right before the agent: the kernel's observation compares to it
      kernel.verifier().before(spec, workspace);
    } catch (RuntimeException e) {
      return new Fail("the workspace could not be observed", String.valueOf(e.getMessage()), true);
    }
    DispatchOutcome outcome;
    try {
      outcome =
          spec instanceof ReworkPack rework
              ? adapter.dispatch(rework, task.threadId(), heartbeat)
              : adapter.dispatch((StepPack) spec, heartbeat);
    } catch (IllegalArgumentException e) {
      // the pack and the workspace do not fit together: the same on every retry
      return new Fail("the dispatch cannot run", e.getMessage(), false);
    } catch (RuntimeException e) {
      return new Fail("the dispatch failed", String.valueOf(e), true);
    }
    if (outcome.outcome() == Outcome.CANCELLED) {
      return new Abandon("the dispatch was withdrawn while the agent ran");
    }
    if (outcome.outcome() == Outcome.SPAWN_FAILED) {
      return new Fail("the agent could not be started", outcome.process().detail(), true);
    }
    Map<String, Object> vars = new LinkedHashMap<>();
    vars.put(StepCycleVars.DISPATCH_OUTCOME, outcome.outcome().name());
    vars.put(StepCycleVars.THREAD_ID, outcome.threadId());
    vars.put(StepCycleVars.DISPATCH_EXTERNAL_TASK_ID, task.id());
    vars.put(StepCycleVars.DISPATCH_ACTIVITY_ID, task.activityId());
    vars.put(StepCycleVars.DISPATCH_ACTIVITY_INSTANCE_ID, task.activityInstanceId());
    vars.put(StepCycleVars.DISPATCH_EVIDENCE_DIR, outcome.evidenceDir());
    vars.put(StepCycleVars.DISPATCH_BACKEND, outcome.backend());
    // the verification needs this kernel's snapshot: only this kernel fetches it
    vars.put(StepCycleVars.DISPATCH_KERNEL, kernel.id());
    vars.put(StepCycleVars.DISPATCH_ELAPSED_MS, outcome.process().elapsed().toMillis());
    AgentUsage usage = outcome.usage();
    if (usage.totalTokens() != null) {
      vars.put(StepCycleVars.DISPATCH_TOKENS, usage.totalTokens());
    }
    if (usage.costUsd() != null) {
      vars.put(StepCycleVars.DISPATCH_COST_USD, usage.costUsd());
    }
    if (usage.turns() != null) {
      vars.put(StepCycleVars.DISPATCH_TURNS, usage.turns());
    }
    Map<String, String> json = new LinkedHashMap<>();
    json.put(StepCycleVars.STEP_RESULT, Protocol.toJson(outcome.result()));
    json.put(StepCycleVars.DISPATCH_USAGE, usage.toTree().toString());
    return new Complete(vars, json);
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /** Extends the lock when new output arrived and a third of the lock has passed. */
  private static final class Heartbeat implements ProgressListener {
    private final LockExtender lock;
    private final Duration lockFor;
    private final AtomicBoolean lost;
    private final BooleanSupplier withdrawn;
    private final AtomicLong lastBytes = new AtomicLong(-1);
    private volatile Instant lastExtended = Instant.now();

    Heartbeat(LockExtender lock, Duration lockFor, AtomicBoolean lost, BooleanSupplier withdrawn) {
      this.lock = lock;
      this.lockFor = lockFor;
      this.lost = lost;
      this.withdrawn = withdrawn;
    }

    @Override
    public void onProgress(long bytesSeen, Instant lastOutput) {
      boolean flowing = bytesSeen > lastBytes.get() && lastOutput.isAfter(lastExtended);
      if (flowing
          && Duration.between(lastExtended, Instant.now()).compareTo(lockFor.dividedBy(3)) > 0) {
        lastBytes.set(bytesSeen);
        lastExtended = Instant.now();
        if (!lock.extend(lockFor)) {
          lost.set(true);
        }
      }
    }

    @Override
    public boolean cancelled() {
      return lost.get() || withdrawn.getAsBoolean();
    }
  }
}
