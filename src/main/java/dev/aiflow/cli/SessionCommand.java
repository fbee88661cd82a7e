package dev.aiflow.cli;

import dev.aiflow.sessionlog.Replay;
import dev.aiflow.sessionlog.SessionLog;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code aiflow session replay}: the session log as a timeline (docs/session-log.md). */
@Command(
    name = "session",
    mixinStandardHelpOptions = true,
    description = "Read a project's session log.",
    subcommands = {SessionCommand.ReplayCommand.class})
public class SessionCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getOut());
    return ExitCodes.USAGE;
  }

  @Command(
      name = "replay",
      mixinStandardHelpOptions = true,
      description = {
        "Print the controller's decisions in order, one line each: freeze, execution guard, task",
        "selected, dispatch, QA verdict, rework, rollback, cycle finished. Lines that cannot be",
        "read (a torn last line after a crash) are listed at the end with their numbers."
      })
  static class ReplayCommand implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        converter = IdConverter.class,
        names = "--project-id",
        description = "A server project: <data-dir>/projects/<id>/session_log.jsonl.")
    String projectId;

    @Option(names = "--file", description = "A session log file.")
    Path file;

    @Option(names = "--task", description = "Only this task.")
    String task;

    @Option(names = "--campaign", description = "Only this campaign (its process instance id).")
    String campaign;

    @Option(names = "--data-dir", description = "Default: $AIFLOW_DATA_DIR or ./data.")
    Path dataDir;

    @Override
    public Integer call() {
      if ((projectId == null) == (file == null)) {
        throw new CliException(ExitCodes.USAGE, "give --project-id or --file");
      }
      Path f =
          file != null
              ? file
              : EngineContext.dataDir(dataDir)
                  .resolve("projects")
                  .resolve(projectId)
                  .resolve("session_log.jsonl");
      if (!Files.exists(f)) {
        throw new CliException(ExitCodes.USAGE, "no session log at " + f);
      }
      SessionLog.Contents c = new SessionLog(f).read();
      PrintWriter out = spec.commandLine().getOut();
      int n = Replay.print(c, task, campaign, out);
      out.printf("%d event(s); %s%n", n, Replay.summary(c.events()));
      return c.problems().isEmpty() ? ExitCodes.OK : ExitCodes.FAILED;
    }
  }
}
