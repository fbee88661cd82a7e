package dev.aiflow.cli;

import dev.aiflow.recovery.Checkpoint;
import dev.aiflow.recovery.CheckpointStore;
import dev.aiflow.recovery.RollbackReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code aiflow checkpoint-create} and {@code aiflow rollback} (docs/recovery.md). */
public final class RecoveryCommands {

  private RecoveryCommands() {}

  /** Where checkpoints live (a picocli mixin of both commands). */
  static final class Where {
    @Option(names = "--checkpoint-dir", description = "Default: <data-dir>/checkpoints.")
    Path checkpointDir;

    @Option(names = "--data-dir", description = "Default: $AIFLOW_DATA_DIR or ./data.")
    Path dataDir;

    CheckpointStore store() {
      return new CheckpointStore(
          checkpointDir != null
              ? checkpointDir
              : EngineContext.dataDir(dataDir).resolve("checkpoints"));
    }
  }

  @Command(
      name = "checkpoint-create",
      mixinStandardHelpOptions = true,
      description = {
        "Copy the named workspace files (and note the absent ones) into a checkpoint with a",
        "manifest of SHA-256s. Paths that leave the workspace are refused before anything is",
        "copied. Prints the checkpoint id for `aiflow rollback`."
      })
  public static class Create implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        converter = IdConverter.class,
        names = "--task-key",
        required = true,
        description = "The task the checkpoint belongs to.")
    String taskKey;

    @Option(
        converter = IdConverter.class,
        names = "--run-id",
        required = true,
        description = "The run the checkpoint belongs to.")
    String runId;

    @Option(names = "--file", description = "A workspace file (repeatable).")
    List<String> files = List.of();

    @Option(
        names = "--glob",
        description = "Every file matching an allowed-path glob (repeatable).")
    List<String> globs = List.of();

    @Option(names = "--workspace", defaultValue = ".", description = "Default: the current folder.")
    Path workspace;

    @Mixin Where where;

    @Override
    public Integer call() {
      if (files.isEmpty() && globs.isEmpty()) {
        throw new CliException(ExitCodes.USAGE, "name at least one --file or --glob");
      }
      Checkpoint cp = where.store().create(taskKey, runId, workspace, files, globs, Instant.now());
      PrintWriter out = spec.commandLine().getOut();
      out.println(cp.id());
      for (Checkpoint.Entry e : cp.entries()) {
        out.printf(
            "  %s %s%n", e.existed() ? e.sha256().substring(0, 12) : "(absent)    ", e.path());
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "rollback",
      mixinStandardHelpOptions = true,
      description = {
        "Restore the workspace to a checkpoint: changed files get their bytes back, files that",
        "did not exist are deleted. Every copy is verified against its SHA-256 first; a corrupt",
        "checkpoint or a path leaving the workspace stops the rollback before anything changes."
      })
  public static class Rollback implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--checkpoint-id",
        required = true,
        description = "The checkpoint to restore (checkpoint-create prints it).")
    String checkpointId;

    @Mixin Where where;

    @Override
    public Integer call() {
      RollbackReport r = where.store().rollback(checkpointId);
      PrintWriter out = spec.commandLine().getOut();
      out.printf(
          "rolled back to %s: %d restored, %d deleted, %d unchanged%n",
          r.checkpointId(), r.restored().size(), r.deleted().size(), r.unchanged().size());
      r.restored().forEach(p -> out.println("  restored " + p));
      r.deleted().forEach(p -> out.println("  deleted  " + p));
      return ExitCodes.OK;
    }
  }
}
