package dev.aiflow.cli;

import dev.aiflow.observe.WorkspaceObserver;
import dev.aiflow.observe.WorkspaceSnapshot;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code aiflow snapshot-workspace}: the kernel's snapshot of a workspace, taken before an agent
 * runs, for {@code aiflow review-step --snapshot-file} afterwards.
 */
@Command(
    name = "snapshot-workspace",
    mixinStandardHelpOptions = true,
    description = {
      "Record a workspace's state (git: HEAD and the tree of every non-ignored file; elsewhere a",
      "content manifest) before an agent runs. Keep --state-dir outside the workspace.",
      "Exit 0 when written, 2 on bad input."
    })
public class SnapshotWorkspaceCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--workspace", defaultValue = ".", description = "The workspace (default: .).")
  Path workspace;

  @Option(
      names = "--state-dir",
      required = true,
      description = "Where the snapshot and its private git objects go (outside the workspace).")
  Path stateDir;

  @Override
  public Integer call() {
    Path ws = workspace.toAbsolutePath().normalize();
    Path state = stateDir.toAbsolutePath().normalize();
    if (!Files.isDirectory(ws)) {
      throw new CliException(ExitCodes.USAGE, "no workspace folder at " + ws);
    }
    if (state.startsWith(ws)) {
      throw new CliException(
          ExitCodes.USAGE, "--state-dir must lie outside the workspace (an agent could edit it)");
    }
    WorkspaceSnapshot s = WorkspaceObserver.withDefaults().snapshot(ws, state);
    Path file = state.resolve("snapshot.json");
    s.write(file);
    PrintWriter out = spec.commandLine().getOut();
    out.printf(
        "%s snapshot of %s: %s%n",
        s.mode(),
        ws,
        s.gitMode()
            ? "HEAD "
                + (s.git().head() == null ? "(none)" : s.git().head())
                + ", tree "
                + s.git().tree()
            : s.entries().size() + " files");
    out.println("snapshot: " + file);
    return ExitCodes.OK;
  }
}
