package dev.aiflow.cli;

import dev.aiflow.campaign.CampaignBudget;
import dev.aiflow.campaign.CampaignSpec;
import dev.aiflow.campaign.CampaignView;
import dev.aiflow.campaign.Safeguards;
import dev.aiflow.campaign.StepPackMap;
import dev.aiflow.worker.BackendMap;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code aiflow run-campaign}: cycles over a triage queue through processes/campaign.bpmn. */
@Command(
    name = "run-campaign",
    mixinStandardHelpOptions = true,
    description = {
      "Run a campaign over a triage queue on an embedded engine (processes/campaign.bpmn): pick",
      "the next eligible task, run its step cycle, finalize the queue and the scoreboard, until the",
      "queue drains, --max-cycles, or --max-stagnant-cycles. One line per cycle, then a summary.",
      "Exit 0 when every task in the queue completed, 1 otherwise, 2 on bad input."
    })
public class RunCampaignCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--step-pack-map-file",
      description = "JSON {\"task key\": \"pack file\" or pack}; paths relative to the map.")
  Path stepPackMapFile;

  @Option(
      names = "--queue-path",
      required = true,
      description = "The triage queue (for example progress/task_queue.json).")
  Path queuePath;

  @Option(names = "--progress-dir", description = "Default: the queue's folder.")
  Path progressDir;

  @Option(names = "--max-cycles", defaultValue = "50", description = "Default: ${DEFAULT-VALUE}.")
  int maxCycles;

  @Option(
      names = "--max-stagnant-cycles",
      defaultValue = "5",
      description = "Stop after this many cycles in a row complete nothing; 0: off. Default: 5.")
  int maxStagnantCycles;

  @Option(
      names = "--max-parallel-tasks",
      defaultValue = "1",
      description =
          "Run this many tasks at once (1..16); tasks with overlapping allowed paths wait."
              + " Default: 1.")
  int maxParallelTasks;

  @Option(
      names = "--escalate-exhausted-rework",
      description =
          "A task that runs out of rework rounds waits for a person in Tasklist instead of"
              + " failing (a queue task's escalate_exhausted_rework overrides it).")
  boolean escalateExhaustedRework;

  @Option(
      names = "--git-isolation",
      defaultValue = "auto",
      description =
          "How tasks are isolated: auto (each task works in a git worktree of its own when the"
              + " workspace is a git repository, and a PASS is integrated into the campaign"
              + " branch) or off (the tasks share the workspace). Default: auto.")
  String gitIsolation;

  @Option(
      names = "--integration-mode",
      defaultValue = "merge",
      description =
          "How a passed task's branch goes into the campaign branch: merge (a merge commit per"
              + " task) or fast-forward. Default: merge.")
  String integrationMode;

  @Option(
      names = "--campaign-branch",
      description = "The branch accepted tasks go to. Default: aiflow-campaign/<campaign id>.")
  String campaignBranch;

  @Option(
      names = "--keep-failed-worktrees",
      description = "Keep a failed task's worktree for inspection.")
  boolean keepFailedWorktrees;

  @Option(
      names = "--campaign-max-tokens",
      defaultValue = "0",
      description =
          "End the campaign (budget_exhausted) once its agents reported this many tokens; 0: off.")
  long campaignMaxTokens;

  @Option(
      names = "--campaign-max-cost-usd",
      defaultValue = "0",
      description =
          "End the campaign (budget_exhausted) once its agents reported this cost in USD; 0: off.")
  double campaignMaxCostUsd;

  @Option(
      names = "--auto-plan-missing",
      description = "Plan a StepPack from the task's plan when the map has none.")
  boolean autoPlanMissing;

  @Option(
      names = "--worker-backend-map-file",
      description = "JSON {\"task key\": \"backend\"}; wins over --default-worker-backend.")
  Path backendMapFile;

  @Option(
      names = "--default-worker-backend",
      description =
          "The backend of the tasks the map does not name (it wins over their packs' own;"
              + " docs/backends.md, \"Routing\").")
  String workerBackend;

  /** The old name of --default-worker-backend, which elsewhere means an override. */
  @Option(names = "--worker-backend", hidden = true)
  String deprecatedWorkerBackend;

  @Option(
      names = "--max-rework-rounds",
      defaultValue = "1",
      description = "Default: ${DEFAULT-VALUE}.")
  int maxReworkRounds;

  @Option(
      names = "--skip-backend-health-check",
      description = "Skip the backend preflight (local mock testing only).")
  boolean skipHealthCheck;

  @Option(
      names = "--require-freeze",
      description = "Refuse to run without approved, frozen requirements (docs/requirements.md).")
  boolean requireFreeze;

  @Option(
      names = "--guard-contracts",
      description =
          "Check each StepPack against the frozen plan and boundary before dispatch"
              + " (implies --require-freeze).")
  boolean guardContracts;

  @Option(names = "--auto-checkpoint", description = "Checkpoint each pack's allowed paths.")
  boolean autoCheckpoint;

  @Option(
      names = "--rollback-on-fail",
      description = "With --auto-checkpoint: restore the checkpoint when a cycle fails.")
  boolean rollbackOnFail;

  @Option(
      names = "--requirements-dir",
      description =
          "The project folder of the freeze (input/, progress/). Default:"
              + " <data-dir>/projects/<project-id>.")
  Path requirementsDir;

  @Option(
      converter = IdConverter.class,
      names = "--project-id",
      defaultValue = "default",
      description = "Default: default.")
  String projectId;

  @Mixin EngineOptions engineOptions;

  @Option(
      names = "--timeout-sec",
      defaultValue = "86400",
      description = "Stop waiting after this long. Default: ${DEFAULT-VALUE}.")
  int timeoutSec;

  @Override
  public Integer call() throws Exception {
    if (rollbackOnFail && !autoCheckpoint) {
      throw new CliException(ExitCodes.USAGE, "--rollback-on-fail needs --auto-checkpoint");
    }
    StepPackMap packs =
        stepPackMapFile == null
            ? StepPackMap.empty()
            : StepPackMap.load(
                stepPackMapFile,
                "--step-pack-map-file",
                CliPaths.policy(engineOptions.dataDir),
                true);
    Map<String, String> backends = Map.of();
    if (backendMapFile != null) {
      try {
        BackendMap.parse(StepPackMapFiles.read(backendMapFile)); // its checks and messages
        backends = StepPackMapFiles.stringMap(backendMapFile);
      } catch (IllegalArgumentException e) {
        throw new CliException(ExitCodes.USAGE, backendMapFile + ": " + e.getMessage());
      }
    }
    if (deprecatedWorkerBackend != null) {
      if (workerBackend != null) {
        throw new CliException(
            ExitCodes.USAGE,
            "--worker-backend is the old name of --default-worker-backend: give only one");
      }
      spec.commandLine()
          .getErr()
          .println(
              "aiflow: warning: run-campaign --worker-backend is deprecated: use"
                  + " --default-worker-backend (the backend of unmapped tasks)");
      workerBackend = deprecatedWorkerBackend;
    }
    CampaignSpec campaign =
        CampaignSpec.builder(projectId, queuePath)
            .progressDir(progressDir)
            .stepPacks(packs)
            .backendMap(backends)
            .workerBackend(workerBackend)
            .autoPlanMissing(autoPlanMissing)
            .maxCycles(maxCycles)
            .maxStagnantCycles(maxStagnantCycles)
            .maxReworkRounds(maxReworkRounds)
            .workspace(engineOptions.workspace)
            .skipBackendHealthCheck(skipHealthCheck)
            .safeguards(
                new Safeguards(
                    requireFreeze, guardContracts, autoCheckpoint, rollbackOnFail, requirementsDir))
            .budget(new CampaignBudget(campaignMaxTokens, campaignMaxCostUsd))
            .maxParallelTasks(maxParallelTasks)
            .escalateExhaustedRework(escalateExhaustedRework)
            .git(
                new dev.aiflow.campaign.GitOptions(
                    gitIsolation, integrationMode, campaignBranch, keepFailedWorktrees))
            .build();
    PrintWriter out = spec.commandLine().getOut();
    try (EngineContext engine = engineOptions.start(Map.of())) {
      CampaignView v =
          CampaignRunner.run(
              engine, campaign, "cli-" + projectId, Duration.ofSeconds(timeoutSec), out);
      return CampaignRunner.summary(v, campaign.effectiveProgressDir(), out);
    }
  }
}
