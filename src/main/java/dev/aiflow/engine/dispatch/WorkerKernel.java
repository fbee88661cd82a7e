package dev.aiflow.engine.dispatch;

import dev.aiflow.config.AiflowProperties;
import dev.aiflow.config.KernelSettings;
import dev.aiflow.files.PathPolicy;
import dev.aiflow.files.PathRefusedException;
import dev.aiflow.observe.KernelVerifier;
import dev.aiflow.worker.Sandbox;
import dev.aiflow.worker.SandboxPolicy;
import java.nio.file.Path;
import java.util.Map;

/**
 * What a worker needs next to its workspaces to run agents and verify them: the sandbox policy
 * agents and the kernel's runs start under, the verifier that observes the workspace and re-runs
 * the proofs, and the environment the built-in shim gets (its settings inline: the data directory
 * is out of the sandbox's sight). The in-process worker builds it from the server's settings, a
 * remote worker from its own.
 *
 * @param sandbox the sandbox in use ({@code bwrap} or {@code none}, with why)
 * @param paths the rule every workspace is checked against each time a worker uses it: a variable
 *     can change between the intake's check and the dispatch, so the worker never takes the
 *     intake's word for it (the data directory and its secrets are never a workspace)
 */
public record WorkerKernel(
    Sandbox sandbox,
    SandboxPolicy policy,
    KernelVerifier verifier,
    Map<String, String> agentEnvironment,
    PathPolicy paths) {

  public WorkerKernel {
    agentEnvironment = Map.copyOf(agentEnvironment);
  }

  /**
   * The workspace a task names, checked now: its real path, or {@link PathRefusedException} naming
   * why (outside the allowed roots, a private path or a folder holding one, not a folder).
   */
  public Path workspace(String raw) {
    return paths.workspace("workspace", raw);
  }

  /**
   * The id a dispatch records ({@code dispatchKernel}) so that only this kernel, which holds the
   * snapshot and the workspace, fetches the step's verification.
   */
  public String id() {
    return verifier.kernelId();
  }

  /** The kernel of a worker with these settings. */
  public static WorkerKernel of(AiflowProperties properties) {
    Sandbox sandbox = KernelSettings.sandbox(properties);
    SandboxPolicy policy = KernelSettings.policy(properties, sandbox);
    return new WorkerKernel(
        sandbox,
        policy,
        KernelSettings.verifier(properties, policy),
        properties.agents().inlineShimEnvironment(),
        properties.pathPolicy());
  }
}
