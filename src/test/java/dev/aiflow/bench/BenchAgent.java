package dev.aiflow.bench;

import dev.aiflow.engine.dispatch.AgentDispatchHandler;
import dev.aiflow.engine.dispatch.VerifyHandler;
import dev.aiflow.engine.dispatch.WorkerKernel;
import dev.aiflow.engine.stepcycle.StepCycleVars;
import dev.aiflow.protocol.AcceptanceEvidence;
import dev.aiflow.protocol.CommandRecord;
import dev.aiflow.protocol.Protocol;
import dev.aiflow.protocol.StepPack;
import dev.aiflow.protocol.StepResult;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.camunda.bpm.engine.externaltask.LockedExternalTask;
import org.camunda.bpm.engine.variable.value.TypedValue;
import org.camunda.spin.plugin.variable.SpinValues;

/**
 * The agent both sides of the engine benchmarks share (aiflow's models and their bare-engine
 * twins): a dispatch takes the kernel's real snapshot of the workspace, "does" the work at once
 * (the status line the pack's command checks, a command log as evidence) and completes with a
 * passing StepResult; a verification is the kernel's real one ({@link VerifyHandler}: the observed
 * change set and patch, the required command re-run). So both sides pay the same worker cost and
 * the ratio is what aiflow's models and delegates add; the kernel's own time is counted apart
 * ({@link #kernelMillis}) and reported next to it.
 */
final class BenchAgent {

  private final WorkerKernel kernel;
  private final VerifyHandler verifier;
  private final AtomicLong kernelNanos = new AtomicLong();

  BenchAgent(WorkerKernel kernel) {
    this.kernel = kernel;
    this.verifier = new VerifyHandler(kernel, Duration.ofMinutes(1));
  }

  /** The pack a fetched task carries ({@code stepPack}, Json or text). */
  static String pack(LockedExternalTask t) {
    return json(t, StepCycleVars.STEP_PACK);
  }

  static String json(LockedExternalTask t, String name) {
    TypedValue v = t.getVariables().getValueTyped(name);
    if (v == null) {
      return null;
    }
    return v instanceof org.camunda.spin.plugin.variable.value.JsonValue j
        ? j.getValueSerialized()
        : String.valueOf(v.getValue());
  }

  /** The completion of a dispatch task in {@code workspace}. */
  Map<String, Object> dispatch(LockedExternalTask t, Path workspace) throws IOException {
    StepPack pack = Protocol.parseStepPack(pack(t));
    long t0 = System.nanoTime();
    kernel.verifier().before(pack, workspace);
    kernelNanos.addAndGet(System.nanoTime() - t0);
    String changed = pack.allowedPaths().get(0);
    Files.createDirectories(workspace.resolve(changed).getParent());
    Files.writeString(workspace.resolve(changed), "status: done\n");
    String dir = pack.evidenceDir() + "/";
    Files.createDirectories(workspace.resolve(dir));
    Files.writeString(workspace.resolve(dir + "cmd-1.log"), "ok\n");
    StepResult r =
        new StepResult(
            StepResult.SCHEMA,
            pack.runId(),
            pack.taskId(),
            pack.stepId(),
            "PASS",
            "PASS_ALL_CRITERIA",
            "no-op agent",
            List.of(changed),
            List.of(new CommandRecord(pack.requiredCommands().get(0), 0, dir + "cmd-1.log")),
            List.of(new AcceptanceEvidence("AC-1", List.of(dir + "cmd-1.log"), null)),
            List.of(),
            "thread-" + pack.taskId(),
            "close");
    Map<String, Object> done = new HashMap<>();
    done.put(StepCycleVars.STEP_RESULT, SpinValues.jsonValue(Protocol.toJson(r)).create());
    done.put(StepCycleVars.DISPATCH_OUTCOME, "OK");
    done.put(StepCycleVars.THREAD_ID, r.threadId());
    done.put(StepCycleVars.DISPATCH_EXTERNAL_TASK_ID, t.getId());
    done.put(StepCycleVars.DISPATCH_ACTIVITY_ID, t.getActivityId());
    done.put(StepCycleVars.DISPATCH_ACTIVITY_INSTANCE_ID, t.getActivityInstanceId());
    done.put(StepCycleVars.DISPATCH_BACKEND, "mock");
    done.put(StepCycleVars.DISPATCH_KERNEL, kernel.id());
    done.put(StepCycleVars.DISPATCH_ELAPSED_MS, 0L);
    return done;
  }

  /** The completion of a verification task in {@code workspace}: the kernel's real one. */
  Map<String, Object> verify(LockedExternalTask t, Path workspace) {
    long t0 = System.nanoTime();
    AgentDispatchHandler.Decision d =
        verifier.handle(
            new VerifyHandler.Task(
                t.getId(),
                pack(t),
                StepCycleVars.PACK_KIND_STEP,
                workspace.toString(),
                "mock",
                json(t, StepCycleVars.STEP_RESULT)),
            duration -> true);
    kernelNanos.addAndGet(System.nanoTime() - t0);
    if (!(d instanceof AgentDispatchHandler.Complete c)) {
      throw new IllegalStateException("the kernel's verification did not complete: " + d);
    }
    Map<String, Object> done = new HashMap<>(c.variables());
    c.jsonVariables().forEach((k, v) -> done.put(k, SpinValues.jsonValue(v).create()));
    return done;
  }

  /** The kernel's time (snapshots, observation, re-runs) since the last call, in milliseconds. */
  double kernelMillis() {
    return kernelNanos.getAndSet(0) / 1e6;
  }
}
