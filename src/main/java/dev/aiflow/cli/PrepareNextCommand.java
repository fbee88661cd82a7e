package dev.aiflow.cli;

import dev.aiflow.campaign.CampaignLoop;
import dev.aiflow.campaign.StepPackMap;
import dev.aiflow.intake.IntakeTask;
import dev.aiflow.protocol.Protocol;
import dev.aiflow.protocol.StepPack;
import dev.aiflow.scoreboard.ScoreboardStore;
import dev.aiflow.triage.QueueStore;
import dev.aiflow.triage.QueueTask;
import dev.aiflow.triage.SelectionPolicy;
import dev.aiflow.triage.TaskQueue;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code aiflow prepare-next}: select and claim the next task of a triage queue, and prepare it.
 */
@Command(
    name = "prepare-next",
    mixinStandardHelpOptions = true,
    description = {
      "Select the next eligible task of a triage queue (priority, then age; docs/triage.md),",
      "claim it for the run (in_progress, claimed by run:<run-id>), count the selection on the",
      "scoreboard, and, when the step-pack map has its pack, check its intake and route its tier",
      "(tier3: compile the contract) into --out-dir. `run-cycle --queue-path` with the same",
      "--run-id then runs it. Exit 0 when a task was selected, 1 when none is eligible."
    })
public class PrepareNextCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      converter = IdConverter.class,
      names = "--run-id",
      required = true,
      description = "The run the next task is prepared for.")
  String runId;

  @Option(
      names = "--queue-path",
      required = true,
      description = "The triage queue (for example progress/task_queue.json).")
  Path queuePath;

  @Option(names = "--progress-dir", description = "Default: the queue's folder.")
  Path progressDir;

  @Option(names = "--step-pack-map-file", description = "Prepare the selected task's pack.")
  Path stepPackMapFile;

  @Option(names = "--out-dir", description = "Default: <data-dir>/prepared/<task key>.")
  Path outDir;

  @Option(names = "--data-dir", description = "Default: $AIFLOW_DATA_DIR or ./data.")
  Path dataDir;

  @Option(names = "--dry-run", description = "Show the choice; claim and count nothing.")
  boolean dryRun;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    QueueStore queue = new QueueStore(queuePath);
    String owner = CampaignLoop.RUN_OWNER_PREFIX + runId;
    TaskQueue q = queue.read();
    SelectionPolicy.Selection s = SelectionPolicy.select(q, owner, Map.of());
    if (s.task().isEmpty()) {
      out.println("no eligible task: " + s.explanation());
      return ExitCodes.FAILED;
    }
    QueueTask task = s.task().get();
    if (!dryRun) {
      q = queue.update(current -> current.claim(task.key(), owner, queue.now()));
      new ScoreboardStore(progressDir != null ? progressDir : queue.path().getParent())
          .recordSelection(task.key(), runId, queue.now());
    }
    QueueTask now = q.require(task.key());
    out.printf(
        "%s %s \"%s\" (priority %d, attempt %d of %d) for run %s%s%n",
        dryRun ? "would select" : "selected",
        now.key(),
        now.title(),
        now.priority(),
        dryRun ? now.attempts() + 1 : now.attempts(),
        q.maxAttemptsOf(now),
        runId,
        dryRun ? "" : "; claimed as " + owner);
    if (stepPackMapFile == null) {
      return ExitCodes.OK;
    }
    Optional<String> packJson =
        StepPackMap.load(stepPackMapFile, "--step-pack-map-file", CliPaths.policy(null), true)
            .packJson(now.key());
    if (packJson.isEmpty()) {
      out.println("the step-pack map has no pack for " + now.key() + "; nothing to prepare");
      return ExitCodes.OK;
    }
    StepPack pack = Protocol.parseStepPack(packJson.get());
    Path dir =
        outDir != null
            ? outDir
            : EngineContext.dataDir(dataDir).resolve("prepared").resolve(now.key());
    return PrepareCommand.prepare(
        IntakeTask.fromStepPack(pack), List.of(), runId, now.key(), dir, out);
  }
}
