package dev.aiflow.cli;

import dev.aiflow.campaign.CampaignLoop;
import dev.aiflow.campaign.CampaignSpec;
import dev.aiflow.campaign.CampaignView;
import dev.aiflow.campaign.Safeguards;
import dev.aiflow.campaign.StepPackMap;
import dev.aiflow.engine.campaign.CampaignService;
import dev.aiflow.engine.cockpit.CockpitLinks;
import dev.aiflow.engine.stepcycle.StepCycleService;
import dev.aiflow.protocol.Protocol;
import dev.aiflow.protocol.StepPack;
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

/** {@code aiflow run-cycle}: one step cycle through step-cycle.bpmn on the embedded engine. */
@Command(
    name = "run-cycle",
    mixinStandardHelpOptions = true,
    description = {
      "Run one step cycle (intake, tier, dispatch, QA, rework) through processes/step-cycle.bpmn",
      "on an embedded engine using the server's data directory, and wait for it to end.",
      "With --queue-path, the cycle runs as a one-cycle campaign over the triage queue: the",
      "pack's task is claimed for this run, finalized (completed, requeued or failed) and the",
      "scoreboard under --progress-dir is updated.",
      "Exit 0 when the step completed, 1 when it failed, was rejected or raised an incident."
    })
public class RunCycleCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      converter = IdConverter.class,
      names = "--run-id",
      required = true,
      description = "The run id, the cycle's business key.")
  String runId;

  @Option(names = "--step-pack-file", required = true, description = "The StepPack to run.")
  Path stepPackFile;

  @Option(names = "--task-file", description = "The intake (default: derived from the pack).")
  Path taskFile;

  @Option(
      converter = IdConverter.class,
      names = "--project-id",
      defaultValue = "default",
      description = "Default: ${DEFAULT-VALUE}.")
  String projectId;

  @Option(
      names = "--max-rework-rounds",
      defaultValue = "1",
      description = "Default: ${DEFAULT-VALUE}.")
  int maxReworkRounds;

  @Option(names = "--worker-backend", description = "Override the pack's backend.")
  String workerBackend;

  @Mixin EngineOptions engineOptions;

  @Option(
      names = "--queue-path",
      description = "A triage queue (progress/task_queue.json) the cycle is part of.")
  Path queuePath;

  @Option(names = "--progress-dir", description = "With --queue-path; default: the queue's folder.")
  Path progressDir;

  @Option(
      names = "--skip-backend-health-check",
      description = "With --queue-path: skip the backend preflight (local mock testing only).")
  boolean skipHealthCheck;

  @Option(
      names = "--plan-snapshot-file",
      description = "With --boundary-snapshot-file: the contract guard checks the pack first.")
  Path planSnapshot;

  @Option(names = "--boundary-snapshot-file", description = "See --plan-snapshot-file.")
  Path boundarySnapshot;

  @Option(
      names = "--auto-checkpoint",
      description = "Checkpoint the pack's allowed paths before dispatch (docs/recovery.md).")
  boolean autoCheckpoint;

  @Option(
      names = "--rollback-on-fail",
      description = "With --auto-checkpoint: restore the checkpoint when the cycle fails.")
  boolean rollbackOnFail;

  @Option(
      names = "--timeout-sec",
      defaultValue = "7200",
      description = "Default: ${DEFAULT-VALUE}.")
  int timeoutSec;

  @Override
  public Integer call() throws Exception {
    String packJson = DispatchCommands.read(stepPackFile);
    StepPack pack = Protocol.parseStepPack(packJson);
    String intake = taskFile == null ? null : DispatchCommands.read(taskFile);
    PrintWriter out = spec.commandLine().getOut();
    if ((planSnapshot == null) != (boundarySnapshot == null)) {
      throw new CliException(
          ExitCodes.USAGE, "--plan-snapshot-file and --boundary-snapshot-file go together");
    }
    if (rollbackOnFail && !autoCheckpoint) {
      throw new CliException(ExitCodes.USAGE, "--rollback-on-fail needs --auto-checkpoint");
    }
    if (queuePath != null) {
      if (taskFile != null) {
        throw new CliException(
            ExitCodes.USAGE,
            "--task-file and --queue-path do not go together: a queued cycle"
                + " derives its intake from the pack");
      }
      return queuedCycle(packJson, pack, out);
    }
    try (EngineContext engine = engineOptions.start(Map.of())) {
      StepCycleService cycles = engine.bean(StepCycleService.class);
      String pi =
          cycles.start(
              new StepCycleService.CycleRequest(
                  projectId,
                  runId,
                  packJson,
                  intake,
                  maxReworkRounds,
                  workerBackend,
                  engineOptions.workspace == null
                      ? null
                      : engineOptions.workspace.toAbsolutePath().normalize().toString(),
                  true),
              new StepCycleService.CycleGuards(
                  planSnapshot, boundarySnapshot, autoCheckpoint, rollbackOnFail));
      out.printf(
          "started step cycle %s for %s (run %s) in project %s%n",
          pi, pack.taskId(), runId, projectId);
      out.flush();
      StepCycleService.CycleResult r = cycles.await(pi, Duration.ofSeconds(timeoutSec));
      return report(out, pack.taskId(), r);
    }
  }

  private int queuedCycle(String packJson, StepPack pack, PrintWriter out) throws Exception {
    CampaignSpec campaign =
        CampaignSpec.builder(projectId, queuePath)
            .progressDir(progressDir)
            .stepPacks(
                StepPackMap.fromJson(
                    "{\"" + pack.taskId() + "\":" + packJson + "}", "--step-pack-file"))
            .workerBackend(workerBackend)
            .maxCycles(1)
            .maxStagnantCycles(0)
            .maxReworkRounds(maxReworkRounds)
            .workspace(engineOptions.workspace)
            .skipBackendHealthCheck(skipHealthCheck)
            .claimOwner(CampaignLoop.RUN_OWNER_PREFIX + runId)
            .safeguards(new Safeguards(false, false, autoCheckpoint, rollbackOnFail, null))
            .build();
    Map<String, Object> snapshots = new java.util.HashMap<>();
    if (planSnapshot != null) {
      snapshots.put("planSnapshotPath", planSnapshot.toAbsolutePath().normalize().toString());
      snapshots.put(
          "boundarySnapshotPath", boundarySnapshot.toAbsolutePath().normalize().toString());
    }
    try (EngineContext engine = engineOptions.start(Map.of())) {
      CampaignView v =
          CampaignRunner.run(
              engine, campaign, snapshots, runId, Duration.ofSeconds(timeoutSec), out);
      java.util.List<String> cycles = engine.bean(CampaignService.class).stepCycles(v.id());
      if (cycles.isEmpty()) {
        out.printf("no cycle ran: %s (%s)%n", v.endReason(), v.endDetail());
        return ExitCodes.FAILED;
      }
      StepCycleService.CycleResult r =
          engine.bean(StepCycleService.class).await(cycles.get(0), Duration.ofSeconds(5));
      int code = report(out, pack.taskId(), r);
      out.println(
          "queue: "
              + campaign.queuePath()
              + "; summary: "
              + campaign.effectiveProgressDir().resolve("summary.md"));
      return code;
    }
  }

  static int report(PrintWriter out, String taskId, StepCycleService.CycleResult r) {
    Map<String, Object> v = r.variables();
    switch (r.outcome()) {
      case "completed", "failed" ->
          out.printf(
              "%s %s: QA %s (%s) after %s rework round(s)%n",
              r.outcome(),
              taskId,
              v.get("qaVerdict"),
              v.get("qaReasonCode"),
              v.getOrDefault("reworkRound", 0));
      case "rejected" -> out.printf("rejected %s at intake: %s%n", taskId, v.get("intakeFindings"));
      case "blocked" ->
          out.printf("blocked %s by the contract guard: %s%n", taskId, v.get("guardFindings"));
      case "incident" -> out.printf("incident in %s: %s%n", taskId, r.incident());
      default -> out.printf("%s %s: the cycle did not end in time%n", r.outcome(), taskId);
    }
    out.println(
        "process instance "
            + r.processInstanceId()
            + " (Cockpit: "
            + CockpitLinks.audit(r.processInstanceId())
            + ")");
    return "completed".equals(r.outcome()) ? ExitCodes.OK : ExitCodes.FAILED;
  }
}
