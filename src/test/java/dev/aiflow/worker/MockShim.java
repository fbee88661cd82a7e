package dev.aiflow.worker;

import dev.aiflow.protocol.AcceptanceCriterion;
import dev.aiflow.protocol.Limits;
import dev.aiflow.protocol.StepPack;
import dev.aiflow.protocol.Worker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The mock shim of examples/orchestrator and packs that steer it. */
public final class MockShim {

  static final String PATH = Path.of("examples/orchestrator/mock-shim").toAbsolutePath().toString();

  private MockShim() {}

  public static StepPack pack(String scenario, String taskId, Limits limits) {
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
        List.of(
            new AcceptanceCriterion(
                "AC-1", "the status line says done", "grep -q 'status: done' src/app.txt")),
        List.of("grep -q 'status: done' src/app.txt"),
        ".artifacts/R-1/" + taskId + "/S1",
        limits,
        new Worker("mock", null));
  }

  public static StepPack pack(String scenario) {
    return pack(scenario, "T-1", new Limits(60, 20, 512));
  }

  public static ShimAdapter adapter(Path workspace) {
    return new ShimAdapter(
        new ShimAdapter.Config(PATH, workspace, 4, Duration.ofMillis(500), 1 << 20, Map.of()),
        PromptRenderer.bundled(),
        new SecretRedactor(Map.of()));
  }
}
