package dev.aiflow.cli;

import dev.aiflow.logger.LoggerOptions;
import dev.aiflow.logger.WorkflowLogger;
import dev.aiflow.observe.KernelRunner;
import dev.aiflow.observe.KernelVerifier;
import dev.aiflow.observe.WorkspaceObserver;
import dev.aiflow.protocol.Limits;
import dev.aiflow.worker.Sandbox;
import dev.aiflow.worker.SandboxPolicy;
import dev.aiflow.worker.ShimAdapter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** Options shared by {@code dispatch-step} and {@code dispatch-rework}. */
public class DispatchOptions {

  @Option(names = "--dry-run", description = "Print the command and the limits; run nothing.")
  boolean dryRun;

  @Option(names = "--max-runtime-sec", description = "Override the pack's max_runtime_sec.")
  Integer maxRuntimeSec;

  @Option(names = "--max-silence-sec", description = "Override the pack's max_silence_sec.")
  Integer maxSilenceSec;

  @Option(names = "--max-memory-mb", description = "Override the pack's max_memory_mb.")
  Integer maxMemoryMb;

  @Option(names = "--max-tokens", description = "Override the pack's max_tokens budget.")
  Long maxTokens;

  @Option(names = "--max-cost-usd", description = "Override the pack's max_cost_usd budget.")
  Double maxCostUsd;

  @Option(names = "--max-turns", description = "Override the pack's max_turns budget.")
  Integer maxTurns;

  @Option(
      names = "--max-parallel-steps",
      defaultValue = "1",
      description = "Agent runs at once in this JVM (default: ${DEFAULT-VALUE}).")
  int maxParallelSteps;

  @Option(names = "--worker-backend", description = "Override the pack's worker backend.")
  String workerBackend;

  @Option(
      names = "--shim",
      description =
          "The shim executable (default: $AIFLOW_SHIM or builtin, aiflow's own 'aiflow shim').")
  String shim;

  @Option(
      names = "--workspace",
      defaultValue = ".",
      description = "The folder the agent works in (default: the current folder).")
  Path workspace;

  @Option(names = "--log-project-id", description = "Append the attempt to this project's log.")
  String logProjectId;

  @Option(
      names = "--log-root-dir",
      defaultValue = "${env:AIFLOW_DATA_DIR:-data}/workflow",
      description = "Root of the workflow logs (default: ${DEFAULT-VALUE}, the data directory's).")
  Path logRootDir;

  @Option(names = "--review", description = "Run the QA gate on the result.")
  boolean review;

  @Option(names = "--write-rework-file", description = "Write a ReworkPack here unless PASS.")
  Path reworkFile;

  @Option(
      names = "--sandbox",
      defaultValue = "auto",
      description =
          "Where the agent and the kernel's re-runs run: auto (bwrap when it works), bwrap or"
              + " none (default: ${DEFAULT-VALUE}).")
  String sandbox;

  /** The sandbox policy; the workflow log is hidden from sandboxed commands. */
  SandboxPolicy policy(java.io.PrintWriter err) {
    Sandbox s = Sandbox.resolve(sandbox, null);
    s.warning().ifPresent(w -> err.println("aiflow: warning: " + w));
    List<Path> hidden =
        logProjectId == null ? List.of() : List.of(logRootDir.toAbsolutePath().normalize());
    return SandboxPolicy.of(s, hidden, null);
  }

  /** The kernel's verifier, its state in a temporary folder outside the workspace. */
  KernelVerifier verifier(SandboxPolicy policy, Path stateRoot) {
    return new KernelVerifier(
        stateRoot,
        WorkspaceObserver.withDefaults(),
        new KernelRunner(KernelRunner.Settings.defaults(), policy));
  }

  Limits limits(Limits pack) {
    return new Limits(
        maxRuntimeSec != null ? maxRuntimeSec : pack.maxRuntimeSec(),
        maxSilenceSec != null ? maxSilenceSec : pack.maxSilenceSec(),
        maxMemoryMb != null ? maxMemoryMb : pack.maxMemoryMb(),
        maxTokens != null ? maxTokens : pack.maxTokens(),
        maxCostUsd != null ? maxCostUsd : pack.maxCostUsd(),
        maxTurns != null ? maxTurns : pack.maxTurns());
  }

  ShimAdapter adapter(SandboxPolicy policy) {
    return adapter().withSandbox(policy);
  }

  ShimAdapter adapter() {
    String executable = shim;
    if (executable == null || executable.isBlank()) {
      String env = System.getenv("AIFLOW_SHIM");
      executable = env != null && !env.isBlank() ? env : ShimAdapter.Config.DEFAULT_SHIM;
    }
    return ShimAdapter.of(
        ShimAdapter.Config.of(executable, workspace.toAbsolutePath().normalize())
            .withMaxParallelSteps(maxParallelSteps));
  }

  WorkflowLogger logger() {
    return logProjectId == null
        ? null
        : WorkflowLogger.openOrInit(logRootDir, logProjectId, LoggerOptions.defaults());
  }
}
