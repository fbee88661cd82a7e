package dev.aiflow.config;

import dev.aiflow.observe.KernelRunner;
import dev.aiflow.observe.KernelVerifier;
import dev.aiflow.observe.WorkspaceObserver;
import dev.aiflow.worker.AgentRecords;
import dev.aiflow.worker.Sandbox;
import dev.aiflow.worker.SandboxPolicy;
import java.nio.file.Path;
import java.util.List;

/**
 * Builds the kernel's parts from {@code aiflow.worker.sandbox.*} and {@code
 * aiflow.worker.verification.*} (docs/sandbox.md): the sandbox policy agents and verification runs
 * start under, the records of running agents, and the verifier. The data directory and the workflow
 * chain are always hidden from sandboxed commands.
 */
public final class KernelSettings {

  private KernelSettings() {}

  /**
   * The sandbox from {@code aiflow.worker.sandbox.mode}: probes bwrap for {@code auto} and {@code
   * bwrap}; see {@link Sandbox#warning()} for why auto fell back to none.
   *
   * @throws IllegalStateException for {@code bwrap} when bubblewrap does not work here
   */
  public static Sandbox sandbox(AiflowProperties properties) {
    AiflowProperties.Worker.Sandbox s = properties.worker().sandbox();
    return Sandbox.resolve(s.mode(), s.bwrap());
  }

  /** Agents and verification runs under {@code sandbox}, recorded in the agent records folder. */
  public static SandboxPolicy policy(AiflowProperties properties, Sandbox sandbox) {
    AiflowProperties.Worker.Sandbox s = properties.worker().sandbox();
    List<Path> hidden =
        List.of(
            properties.dataDir().toAbsolutePath().normalize(),
            properties.workflowRoot().toAbsolutePath().normalize());
    return SandboxPolicy.of(sandbox, hidden, agentRecords(properties))
        .withNetwork(
            s.agentNetwork(), s.backendNetwork(), s.tierNetwork(), s.verificationNetwork());
  }

  /** {@code <data-dir>/run/agents}: call {@link AgentRecords#reapLeftovers} on start. */
  public static AgentRecords agentRecords(AiflowProperties properties) {
    return new AgentRecords(properties.agentRecordsDir());
  }

  /**
   * The kernel's verifier: snapshots in {@code <data-dir>/run/observe}, runs under {@code policy}.
   */
  public static KernelVerifier verifier(AiflowProperties properties, SandboxPolicy policy) {
    AiflowProperties.Worker.Verification v = properties.worker().verification();
    KernelRunner.Settings settings =
        new KernelRunner.Settings(
            v.maxRuntime(),
            v.maxSilence(),
            v.maxMemoryMb(),
            v.environment(),
            0,
            properties.worker().grace());
    return new KernelVerifier(
        properties.observationStateDir(),
        new WorkspaceObserver(v.ignore(), null),
        new KernelRunner(settings, policy));
  }
}
