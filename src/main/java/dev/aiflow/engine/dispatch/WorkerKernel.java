package dev.aiflow.engine.dispatch;

import dev.aiflow.config.AiflowProperties;
import dev.aiflow.config.KernelSettings;
import dev.aiflow.observe.KernelVerifier;
import dev.aiflow.worker.Sandbox;
import dev.aiflow.worker.SandboxPolicy;
import java.util.Map;

/**
 * What a worker needs next to its workspaces to run agents and verify them: the sandbox policy
 * agents and the kernel's runs start under, the verifier that observes the workspace and re-runs
 * the proofs, and the environment the built-in shim gets (its settings inline: the data directory
 * is out of the sandbox's sight). The in-process worker builds it from the server's settings, a
 * remote worker from its own.
 *
 * @param sandbox the sandbox in use ({@code bwrap} or {@code none}, with why)
 */
public record WorkerKernel(
    Sandbox sandbox,
    SandboxPolicy policy,
    KernelVerifier verifier,
    Map<String, String> agentEnvironment) {

  public WorkerKernel {
    agentEnvironment = Map.copyOf(agentEnvironment);
  }

  /** The kernel of a worker with these settings. */
  public static WorkerKernel of(AiflowProperties properties) {
    Sandbox sandbox = KernelSettings.sandbox(properties);
    SandboxPolicy policy = KernelSettings.policy(properties, sandbox);
    return new WorkerKernel(
        sandbox,
        policy,
        KernelSettings.verifier(properties, policy),
        properties.agents().inlineShimEnvironment());
  }
}
