package dev.aiflow.worker;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Who runs where: the sandbox, the network per backend and per tier, what stays hidden, and where
 * running agents are recorded (docs/sandbox.md). An agent has the network unless its backend or its
 * tier turns it off; the kernel's verification runs have none unless {@code verificationNetwork}.
 *
 * @param agentNetwork the default for agents (they need their API)
 * @param backendNetwork per backend, overriding {@code agentNetwork}
 * @param tierNetwork per tier: {@code false} closes the network for every backend in that tier
 * @param verificationNetwork whether the kernel's re-runs have the network (default off)
 * @param hidden folders no sandboxed command sees: the data directory, the workflow chain
 * @param records where running commands are recorded, or null
 * @param tier the tier of the step, for packs that do not carry one (a ReworkPack), or null
 */
public record SandboxPolicy(
    Sandbox sandbox,
    boolean agentNetwork,
    Map<String, Boolean> backendNetwork,
    Map<String, Boolean> tierNetwork,
    boolean verificationNetwork,
    List<Path> hidden,
    AgentRecords records,
    String tier) {

  public SandboxPolicy {
    sandbox = sandbox == null ? Sandbox.none() : sandbox;
    backendNetwork = backendNetwork == null ? Map.of() : Map.copyOf(backendNetwork);
    tierNetwork = tierNetwork == null ? Map.of() : Map.copyOf(tierNetwork);
    hidden = hidden == null ? List.of() : List.copyOf(hidden);
  }

  /** No sandbox, network everywhere, nothing recorded. */
  public static SandboxPolicy none() {
    return new SandboxPolicy(
        Sandbox.none(), true, Map.of(), Map.of(), false, List.of(), null, null);
  }

  /** The default policy around {@code sandbox}: agents online, verification offline. */
  public static SandboxPolicy of(Sandbox sandbox, List<Path> hidden, AgentRecords records) {
    return new SandboxPolicy(sandbox, true, Map.of(), Map.of(), false, hidden, records, null);
  }

  public SandboxPolicy withTier(String value) {
    return new SandboxPolicy(
        sandbox,
        agentNetwork,
        backendNetwork,
        tierNetwork,
        verificationNetwork,
        hidden,
        records,
        value);
  }

  public SandboxPolicy withNetwork(
      boolean agents,
      Map<String, Boolean> backends,
      Map<String, Boolean> tiers,
      boolean verification) {
    return new SandboxPolicy(sandbox, agents, backends, tiers, verification, hidden, records, tier);
  }

  /** Whether an agent of {@code backend} in {@code stepTier} (null: this policy's tier) has it. */
  public boolean agentNetwork(String backend, String stepTier) {
    String t = stepTier != null ? stepTier : tier;
    boolean byBackend = backendNetwork.getOrDefault(backend, agentNetwork);
    boolean byTier = t == null || tierNetwork.getOrDefault(t, true);
    return byBackend && byTier;
  }

  /** How an agent run starts: sandboxed, its network per backend and tier, recorded. */
  public Launch forAgent(String backend, String stepTier) {
    Launch l = Launch.direct().inSandbox(sandbox, agentNetwork(backend, stepTier), hidden);
    return records == null ? l : l.recordedIn(records, "agent " + backend);
  }

  /**
   * How a kernel verification run starts: sandboxed, offline by default, with a clean environment
   * of the allowed names plus {@code fixed}.
   */
  public Launch forVerification(List<String> allowedEnvironment, Map<String, String> fixed) {
    Launch l =
        Launch.direct()
            .inSandbox(sandbox, verificationNetwork, hidden)
            .cleanEnvironment(allowedEnvironment, fixed);
    return records == null ? l : l.recordedIn(records, "kernel verification");
  }
}
