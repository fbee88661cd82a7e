package dev.aiflow.engine.dispatch;

import dev.aiflow.engine.stepcycle.StepCycleVars;
import dev.aiflow.files.PathRefusedException;
import dev.aiflow.observe.KernelObservation;
import dev.aiflow.observe.ObserveException;
import dev.aiflow.protocol.Protocol;
import dev.aiflow.protocol.ProtocolException;
import dev.aiflow.protocol.StepResult;
import dev.aiflow.protocol.StepSpec;
import dev.aiflow.qa.ReviewInputs;
import dev.aiflow.worker.ProgressListener;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;

/**
 * The job of a verification external task (topic {@value #TOPIC}, {@code Task_VerifyInWorkspace}),
 * whoever runs it: the kernel observes what the agent changed in the workspace, against the
 * snapshot taken before it ran, and re-runs every required command and verification itself, with
 * its own limits, in the sandbox, with a clean environment (docs/protocol.md, "What the kernel
 * observes and re-runs"). The observation is written as kernel evidence; the task completes with
 * its workspace-relative path, and with everything the QA gate judges ({@link ReviewInputs}: the
 * observation and the evidence files' hashes, gathered here), so the server never opens the
 * workspace. Like a dispatch it runs outside any database transaction and keeps its lock alive
 * while the runs produce output.
 */
public final class VerifyHandler {

  public static final String TOPIC = "aiflow-verify";

  /** The variables a verification worker fetches. */
  public static final List<String> INPUTS =
      List.of(
          StepCycleVars.STEP_PACK,
          StepCycleVars.REWORK_PACK,
          StepCycleVars.REWORK_ROUND,
          StepCycleVars.WORKSPACE,
          StepCycleVars.DISPATCH_BACKEND,
          StepCycleVars.STEP_RESULT);

  /**
   * What the handler needs from the task.
   *
   * @param result the dispatch's StepResult (JSON): the paths it cites are looked at here, next to
   *     the workspace, for the QA gate
   */
  public record Task(
      String id, String pack, String packKind, String workspace, String backend, String result) {}

  private final WorkerKernel kernel;
  private final Duration lockDuration;

  public VerifyHandler(WorkerKernel kernel, Duration lockDuration) {
    this.kernel = kernel;
    this.lockDuration = lockDuration;
  }

  public AgentDispatchHandler.Decision handle(Task task, AgentDispatchHandler.LockExtender lock) {
    return handle(task, lock, () -> false);
  }

  /** Verifies; when {@code withdrawn} turns true the runs are stopped and the task abandoned. */
  public AgentDispatchHandler.Decision handle(
      Task task, AgentDispatchHandler.LockExtender lock, BooleanSupplier withdrawn) {
    StepSpec spec;
    try {
      spec =
          StepCycleVars.PACK_KIND_REWORK.equals(task.packKind())
              ? Protocol.parseReworkPack(task.pack())
              : Protocol.parseStepPack(task.pack());
    } catch (ProtocolException e) {
      return new AgentDispatchHandler.Fail("the pack cannot be verified", e.getMessage(), false);
    }
    // the dispatch always completes with a valid one (a synthesized one when the agent's was not)
    if (task.result() == null) {
      return new AgentDispatchHandler.Fail(
          "the step result cannot be reviewed", "the task has no stepResult", false);
    }
    StepResult result;
    try {
      result = Protocol.parseStepResult(task.result());
    } catch (ProtocolException e) {
      return new AgentDispatchHandler.Fail(
          "the step result cannot be reviewed", e.getMessage(), false);
    }
    if (task.workspace() == null) {
      return new AgentDispatchHandler.Fail(
          "the workspace does not exist", "the task names no workspace", false);
    }
    Path workspace;
    try {
      // checked again here, not taken from the intake: the variable may have changed since
      workspace = kernel.workspace(task.workspace());
    } catch (PathRefusedException e) {
      return new AgentDispatchHandler.Fail("the workspace is refused", e.getMessage(), false);
    }
    AtomicBoolean lost = new AtomicBoolean(!lock.extend(lockDuration));
    ProgressListener heartbeat =
        new ProgressListener() {
          private volatile Instant extended = Instant.now();

          @Override
          public void onProgress(long bytesSeen, Instant lastOutput) {
            if (Duration.between(extended, Instant.now()).compareTo(lockDuration.dividedBy(3))
                > 0) {
              extended = Instant.now();
              if (!lock.extend(lockDuration)) {
                lost.set(true);
              }
            }
          }

          @Override
          public boolean cancelled() {
            return lost.get() || withdrawn.getAsBoolean();
          }
        };
    long started = System.nanoTime();
    KernelObservation observation;
    try {
      observation = kernel.verifier().verify(spec, workspace, task.backend(), heartbeat);
    } catch (ObserveException e) {
      // no snapshot, a workspace that changed identity, git refusing: the same on a retry
      return new AgentDispatchHandler.Fail(
          "the kernel could not verify the workspace", e.code() + ": " + e.getMessage(), false);
    } catch (RuntimeException e) {
      return new AgentDispatchHandler.Fail("the verification failed", String.valueOf(e), true);
    }
    if (lost.get() || withdrawn.getAsBoolean() || !lock.extend(lockDuration)) {
      return new AgentDispatchHandler.Abandon("the verification was withdrawn while it ran");
    }
    ReviewInputs inputs;
    try {
      // the lock was just extended: hashing large evidence files takes a while of its own
      inputs = ReviewInputs.gather(task.workspace(), workspace, result, observation);
    } catch (java.io.UncheckedIOException e) {
      // an evidence file the kernel may not read: the same on a retry, so a person looks at it
      return new AgentDispatchHandler.Fail(
          "the kernel could not read the evidence", e.getMessage(), false);
    }
    Map<String, Object> vars = new LinkedHashMap<>();
    vars.put(StepCycleVars.KERNEL_OBSERVATION, observation.file());
    vars.put(StepCycleVars.VERIFY_ELAPSED_MS, (System.nanoTime() - started) / 1_000_000);
    return new AgentDispatchHandler.Complete(
        vars, Map.of(StepCycleVars.REVIEW_INPUTS, inputs.toJson()));
  }
}
