package dev.aiflow.observe;

import dev.aiflow.protocol.AcceptanceCriterion;
import dev.aiflow.protocol.Limits;
import dev.aiflow.protocol.StepPack;
import dev.aiflow.protocol.Worker;
import dev.aiflow.worker.PromptRenderer;
import dev.aiflow.worker.Sandbox;
import dev.aiflow.worker.SandboxPolicy;
import dev.aiflow.worker.SecretRedactor;
import dev.aiflow.worker.ShimAdapter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The mock shim, packs that steer it, and the kernel around it, for feature tests. */
final class Kernel {

  static final String SHIM = Path.of("examples/orchestrator/mock-shim").toAbsolutePath().toString();
  static final String CHECK = "grep -q 'status: done' src/app.txt";

  private Kernel() {}

  /** {@code none} or {@code bwrap}; bwrap must work here (.ci/run installs bubblewrap). */
  static Sandbox sandbox(String name) {
    return name.equals("bwrap") ? Sandbox.resolve(Sandbox.Mode.BWRAP, null) : Sandbox.none();
  }

  static StepPack pack(String scenario, String taskId, List<AcceptanceCriterion> criteria) {
    return new StepPack(
        StepPack.SCHEMA,
        "R-1",
        taskId,
        "S1",
        "Finish the feature",
        "src/app.txt says the work is done",
        List.of("mock-scenario: " + scenario, "Change only src/app.txt."),
        "tier2",
        null,
        List.of("src/app.txt"),
        criteria,
        List.of(CHECK),
        ".artifacts/R-1/" + taskId + "/S1",
        new Limits(60, 20, 512),
        new Worker("mock", null));
  }

  static StepPack pack(String scenario, String taskId) {
    return pack(
        scenario,
        taskId,
        List.of(new AcceptanceCriterion("AC-1", "the status line says done", CHECK)));
  }

  static ShimAdapter adapter(Path workspace, SandboxPolicy policy) {
    return new ShimAdapter(
        new ShimAdapter.Config(SHIM, workspace, 4, Duration.ofMillis(500), 1 << 20, Map.of()),
        PromptRenderer.bundled(),
        new SecretRedactor(Map.of()),
        policy);
  }

  static KernelVerifier verifier(Path stateRoot, SandboxPolicy policy) {
    return new KernelVerifier(
        stateRoot,
        WorkspaceObserver.withDefaults(),
        new KernelRunner(
            KernelRunner.Settings.defaults()
                .withLimits(Duration.ofSeconds(30), Duration.ofSeconds(20), 512),
            policy));
  }

  /** Processes whose argv[0] is {@code name}, by pid, as the host's /proc shows them. */
  static List<Long> processesNamed(String name) {
    List<Long> found = new ArrayList<>();
    try (var s = Files.list(Path.of("/proc"))) {
      for (Path p : s.toList()) {
        String pid = p.getFileName().toString();
        if (!pid.chars().allMatch(Character::isDigit)) {
          continue;
        }
        try {
          byte[] cmd = Files.readAllBytes(p.resolve("cmdline"));
          int end = 0;
          while (end < cmd.length && cmd[end] != 0) {
            end++;
          }
          if (new String(cmd, 0, end).equals(name)) {
            found.add(Long.parseLong(pid));
          }
        } catch (java.io.IOException e) {
          // gone
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return found;
  }

  static boolean alive(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      return !stat.substring(stat.lastIndexOf(')') + 2).startsWith("Z");
    } catch (java.io.IOException e) {
      return false;
    }
  }
}
