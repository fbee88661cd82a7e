package dev.aiflow.worker;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.protocol.Protocol;
import dev.aiflow.protocol.StepPack;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The worker's prompt is built from instructions/worker.md and AGENTS.md as they are in the
 * repository (the jar carries the same bytes), then the step. The rendered prompt of the example
 * StepPack is written to target/rendered-worker-prompt.md for people to read.
 */
class PromptRendererTest {

  @Test
  void theExamplePackRendersWithTheRepositorysRules() throws Exception {
    String worker = Files.readString(Path.of("instructions/worker.md"));
    String agents = Files.readString(Path.of("AGENTS.md"));
    StepPack pack =
        Protocol.parseStepPack(
            Files.readString(Path.of("examples/protocol/step_pack.example.json")));

    String prompt = PromptRenderer.bundled().render(pack);
    Files.createDirectories(Path.of("target"));
    Files.writeString(Path.of("target/rendered-worker-prompt.md"), prompt);

    assertThat(prompt)
        .as("the bundled rules are the repository's")
        .isEqualTo(new PromptRenderer(worker, agents).render(pack));
    assertThat(prompt).startsWith("# aiflow worker prompt\n\n" + worker.strip());
    assertThat(prompt).contains(agents.strip());
    assertThat(prompt.indexOf("# Worker role"))
        .as("role, then the non-negotiables, then the step")
        .isLessThan(prompt.indexOf("## Non-negotiables"));
    assertThat(prompt.indexOf("## Non-negotiables")).isLessThan(prompt.indexOf("# Your step: "));
    assertThat(prompt)
        .contains("Work inside the frozen contract")
        .contains("TASK-ID: " + pack.taskId())
        .contains("EVIDENCE-DIR: " + pack.evidenceDir());
    pack.allowedPaths().forEach(p -> assertThat(prompt).contains("ALLOWED: " + p));
    pack.requiredCommands().forEach(c -> assertThat(prompt).contains("REQUIRED-COMMAND: " + c));
    pack.acceptanceCriteria()
        .forEach(c -> assertThat(prompt).contains("CRITERION: " + c.id() + " | "));
    assertThat(prompt).contains("AIFLOW-STEP-RESULT");
  }

  @Test
  void aBudgetIsOnTheLimitsLineOnlyWhenThePackHasOne() throws Exception {
    StepPack pack =
        Protocol.parseStepPack(
            Files.readString(Path.of("examples/protocol/step_pack.example.json")));
    String plain = PromptRenderer.bundled().render(pack);
    assertThat(plain).doesNotContain("max_tokens=");
    String budgeted =
        PromptRenderer.bundled()
            .render(pack.withLimits(pack.limits().withBudget(40_000L, 0.5, null)));
    assertThat(budgeted)
        .containsPattern(
            "(?m)^LIMITS: max_runtime_sec=\\d+ max_silence_sec=\\d+ max_memory_mb=\\d+"
                + " max_tokens=40000 max_cost_usd=0.5$");
  }
}
