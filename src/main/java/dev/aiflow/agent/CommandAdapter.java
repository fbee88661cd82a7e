package dev.aiflow.agent;

import dev.aiflow.worker.UsageLines;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A {@code command} backend: any executable, from a template in the agents settings, that takes the
 * prompt as an argument or on stdin and prints a framed StepResult. Its {@code AIFLOW-USAGE} and
 * {@code AIFLOW-OUTCOME} lines, if it prints any, are taken as its own report (docs/protocol.md);
 * every other line is relayed as progress and kept as the agent's text.
 */
final class CommandAdapter implements BackendAdapter {

  private final String name;
  private final AgentSettings.CommandTemplate template;
  private final StringBuilder all = new StringBuilder();

  CommandAdapter(String name, AgentSettings.CommandTemplate template) {
    this.name = name;
    this.template = template;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public Invocation invocation(ShimRequest r, AgentSettings settings) {
    List<String> argv = new ArrayList<>();
    for (String arg : r.resume() ? template.resume() : template.create()) {
      argv.add(
          arg.replace("{run_id}", r.runId())
              .replace("{task_id}", r.taskId())
              .replace("{step_id}", r.stepId())
              .replace("{model}", r.model() == null ? "" : r.model())
              .replace("{thread_id}", r.threadId() == null ? "" : r.threadId())
              .replace("{prompt}", r.prompt()));
    }
    return new Invocation(argv, template.prompt().equals("stdin") ? r.prompt() : null);
  }

  @Override
  public void onLine(String line, AgentRun run, Consumer<String> progress) {
    if (line.startsWith(UsageLines.USAGE)) {
      UsageLines.parseUsage(line)
          .ifPresent(
              u -> {
                if (u.threadId() != null) {
                  run.threadId = u.threadId();
                }
                if (u.model() != null) {
                  run.model = u.model();
                }
                run.tokens(
                    u.inputTokens(),
                    u.outputTokens(),
                    u.cacheReadTokens(),
                    u.cacheWriteTokens(),
                    u.reasoningTokens());
                run.costUsd =
                    u.costSource() == dev.aiflow.worker.AgentUsage.CostSource.REPORTED
                        ? u.costUsd()
                        : null;
                run.turns = u.turns();
              });
      return;
    }
    if (line.startsWith(UsageLines.OUTCOME)) {
      UsageLines.parseOutcome(line).ifPresent(o -> run.fail(o.outcome(), o.detail()));
      return;
    }
    all.append(line).append('\n');
    run.setFinalText(all.toString());
    if (!line.isBlank()) {
      progress.accept(Json.oneLine(line, 240));
    }
  }

  @Override
  public void onExit(int exitCode, String stderrTail, AgentRun run) {
    if (exitCode != 0 && run.failure == null) {
      Failures.classify(stderrTail)
          .ifPresent(
              o -> run.fail(o, name + " exited " + exitCode + ": " + Failures.brief(stderrTail)));
    }
  }
}
