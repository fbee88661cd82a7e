package dev.aiflow.worker;

import dev.aiflow.protocol.AcceptanceCriterion;
import dev.aiflow.protocol.FailingCheck;
import dev.aiflow.protocol.Protocol;
import dev.aiflow.protocol.ReworkPack;
import dev.aiflow.protocol.StepPack;
import dev.aiflow.protocol.StepSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * Builds the prompt a worker receives: its role ({@code instructions/worker.md}), the
 * non-negotiables ({@code AGENTS.md}), the step with a line-per-fact checklist that tools and
 * people can both read, the pack itself, and how to report. Both documents ship in the jar, so a
 * prompt is the same wherever aiflow runs.
 */
public final class PromptRenderer {

  public static final String WORKER_RULES = "aiflow/instructions/worker.md";
  public static final String AGENTS = "aiflow/AGENTS.md";

  private final String workerRules;
  private final String agents;

  public PromptRenderer(String workerRules, String agents) {
    this.workerRules = workerRules.strip();
    this.agents = agents.strip();
  }

  public static PromptRenderer bundled() {
    return new PromptRenderer(resource(WORKER_RULES), resource(AGENTS));
  }

  public String render(StepPack pack) {
    StringBuilder s = header(pack, "Your step: " + pack.title());
    s.append("Tier: ").append(pack.tier());
    if (pack.contractRef() != null) {
      s.append(" (contract: ").append(pack.contractRef()).append(')');
    }
    s.append("\n\n");
    checklist(s, pack);
    s.append('\n');
    packBlock(s, "AIFLOW-STEP-PACK", Protocol.toJson(pack));
    return footer(s);
  }

  public String render(ReworkPack pack) {
    StringBuilder s =
        header(pack, "Your rework: round " + pack.round() + " of step " + pack.reworksStepId());
    s.append("Fix exactly these failing checks:\n\n");
    for (FailingCheck c : pack.failingChecks()) {
      s.append("- ")
          .append(c.check())
          .append(" (")
          .append(c.reasonCode())
          .append("): ")
          .append(c.detail())
          .append("\n  Needs: ")
          .append(c.needs())
          .append('\n');
    }
    s.append('\n');
    checklist(s, pack);
    for (FailingCheck c : pack.failingChecks()) {
      s.append("FAILING-CHECK: ")
          .append(c.check())
          .append(" | ")
          .append(c.reasonCode())
          .append('\n');
    }
    s.append('\n');
    packBlock(s, "AIFLOW-REWORK-PACK", Protocol.toJson(pack));
    return footer(s);
  }

  private StringBuilder header(StepSpec spec, String title) {
    StringBuilder s = new StringBuilder(8192);
    s.append("# aiflow worker prompt\n\n")
        .append(workerRules)
        .append("\n\n---\n\n")
        .append(agents)
        .append("\n\n---\n\n# ")
        .append(title)
        .append("\n\nObjective: ")
        .append(spec.objective())
        .append("\n\n");
    if (!spec.instructions().isEmpty()) {
      s.append("Instructions:\n");
      spec.instructions().forEach(i -> s.append("- ").append(i).append('\n'));
      s.append('\n');
    }
    return s;
  }

  /** One fact per line: the same facts as the pack, easy to grep. */
  private static void checklist(StringBuilder s, StepSpec spec) {
    s.append("## Checklist\n\n");
    s.append("RUN-ID: ").append(spec.runId()).append('\n');
    s.append("TASK-ID: ").append(spec.taskId()).append('\n');
    s.append("STEP-ID: ").append(spec.stepId()).append('\n');
    s.append("EVIDENCE-DIR: ").append(spec.evidenceDir()).append('\n');
    spec.allowedPaths().forEach(p -> s.append("ALLOWED: ").append(p).append('\n'));
    spec.requiredCommands().forEach(c -> s.append("REQUIRED-COMMAND: ").append(c).append('\n'));
    for (AcceptanceCriterion c : spec.acceptanceCriteria()) {
      s.append("CRITERION: ").append(c.id()).append(" | ").append(oneLine(c.description()));
      if (c.verification() != null && !c.verification().isBlank()) {
        s.append(" | verify: ").append(oneLine(c.verification()));
      }
      if (c.needsPerson()) {
        s.append(" | manual");
      }
      s.append('\n');
    }
    s.append("LIMITS: max_runtime_sec=")
        .append(spec.limits().maxRuntimeSec())
        .append(" max_silence_sec=")
        .append(spec.limits().maxSilenceSec())
        .append(" max_memory_mb=")
        .append(spec.limits().maxMemoryMb());
    if (spec.limits().maxTokens() != null) {
      s.append(" max_tokens=").append(spec.limits().maxTokens());
    }
    if (spec.limits().maxCostUsd() != null) {
      s.append(" max_cost_usd=").append(spec.limits().maxCostUsd());
    }
    if (spec.limits().maxTurns() != null) {
      s.append(" max_turns=").append(spec.limits().maxTurns());
    }
    s.append('\n');
  }

  private static void packBlock(StringBuilder s, String marker, String json) {
    s.append("## The pack\n\n<<<").append(marker).append('\n').append(json).append('\n');
    s.append(marker).append(">>>\n\n");
  }

  private static String footer(StringBuilder s) {
    s.append("## Report\n\nEnd with exactly one StepResult between the lines ")
        .append(StepResultExtractor.OPEN)
        .append(" and ")
        .append(StepResultExtractor.CLOSE)
        .append(", each alone on its line, using the ids above.\n");
    return s.toString();
  }

  private static String oneLine(String text) {
    return text.replace('\n', ' ').replace('\r', ' ');
  }

  private static String resource(String name) {
    try (InputStream in = PromptRenderer.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is not on the classpath");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
