package dev.aiflow.cli;

import dev.aiflow.agent.AgentSettings;
import dev.aiflow.agent.BuiltinShim;
import dev.aiflow.agent.ShimRequest;
import dev.aiflow.worker.Outcome;
import dev.aiflow.worker.UsageLines;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code aiflow shim create|resume}: aiflow's built-in shim, the default one (docs/backends.md). It
 * speaks the contract every shim speaks (docs/protocol.md) and drives the real agent CLIs.
 */
@Command(
    name = "shim",
    mixinStandardHelpOptions = true,
    description = {
      "Run one agent CLI (claude, codex, gemini, or a configured command) in its headless mode in",
      "the current folder, relay its events, report usage, and print the framed StepResult of",
      "the agent's last message. The worker starts it; it speaks the gxd-subagent-shim contract.",
      "Exit 0 with a StepResult, 1 when the agent failed (an AIFLOW-OUTCOME line says how),",
      "2 on bad usage."
    })
public class ShimCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Parameters(index = "0", paramLabel = "create|resume", description = "Start or resume a run.")
  String mode;

  @Parameters(index = "1", paramLabel = "PROMPT", description = "The worker prompt.")
  String prompt;

  @Parameters(
      index = "2",
      arity = "0..1",
      paramLabel = "THREAD_ID",
      description = "The thread to resume (resume only).")
  String threadId;

  @Option(
      names = "--backend",
      required = true,
      description = "The agent CLI: claude, codex, gemini or a command.")
  String backend;

  @Option(names = "--run-id", required = true, description = "The run, from the StepPack.")
  String runId;

  @Option(names = "--task-id", required = true, description = "The task, from the StepPack.")
  String taskId;

  @Option(names = "--step-id", required = true, description = "The step, from the StepPack.")
  String stepId;

  @Option(
      names = "--settings-file",
      description = {
        "Agent settings laid over the worker's (a named shim builtin:<file>: its own CLIs and",
        "their logins, e.g. the demo's fake ones)."
      })
  Path settingsFile;

  /** The environment the shim reads (tests replace it). */
  Map<String, String> environment = System.getenv();

  /** The folder the agent works in: the current one (tests replace it). */
  Path workspace = Path.of("").toAbsolutePath();

  @Override
  public Integer call() {
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!mode.equals("create") && !mode.equals("resume")) {
      return usage(out, "the mode must be create or resume, not '" + mode + "'");
    }
    if (mode.equals("resume") && (threadId == null || threadId.isBlank())) {
      return usage(out, "resume needs the THREAD_ID to resume");
    }
    if (mode.equals("create") && threadId != null) {
      return usage(out, "create takes no THREAD_ID");
    }
    AgentSettings settings;
    try {
      settings = AgentSettings.load(environment);
      if (settingsFile != null) {
        settings = settings.overlay(AgentSettings.read(settingsFile));
      }
    } catch (IllegalArgumentException e) {
      return usage(out, e.getMessage());
    }
    ShimRequest request =
        ShimRequest.of(prompt, threadId, backend, runId, taskId, stepId, environment);
    return new BuiltinShim(settings, workspace, out, err, environment).run(request);
  }

  private int usage(PrintWriter out, String why) {
    // the worker reads stdout: the refusal is a classified outcome there, not a parse error
    out.println(UsageLines.outcome(Outcome.AGENT_FAILED, why));
    out.flush();
    throw new CliException(ExitCodes.USAGE, why);
  }
}
