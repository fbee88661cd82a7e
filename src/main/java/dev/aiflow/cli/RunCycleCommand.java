package dev.aiflow.cli;

import dev.aiflow.engine.StepCycleService;
import dev.aiflow.protocol.Protocol;
import dev.aiflow.protocol.StepPack;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
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
      "Exit 0 when the step completed, 1 when it failed, was rejected or raised an incident."
    })
public class RunCycleCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--run-id", required = true)
  String runId;

  @Option(names = "--step-pack-file", required = true)
  Path stepPackFile;

  @Option(names = "--task-file", description = "The intake (default: derived from the pack).")
  Path taskFile;

  @Option(
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

  @Option(names = "--workspace", defaultValue = ".", description = "Default: the current folder.")
  Path workspace;

  @Option(names = "--shim", description = "The shim (default: $AIFLOW_SHIM or gxd-subagent-shim).")
  String shim;

  @Option(names = "--data-dir", description = "Default: $AIFLOW_DATA_DIR or ./data.")
  Path dataDir;

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
    Map<String, String> settings = new HashMap<>();
    if (shim != null) {
      settings.put("aiflow.worker.shim", shim);
    }
    PrintWriter out = spec.commandLine().getOut();
    try (EngineContext engine =
        EngineContext.start(dataDir != null ? dataDir : EngineContext.defaultDataDir(), settings)) {
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
                  workspace.toAbsolutePath().normalize().toString(),
                  true));
      out.printf(
          "started step cycle %s for %s (run %s) in project %s%n",
          pi, pack.taskId(), runId, projectId);
      out.flush();
      StepCycleService.CycleResult r = cycles.await(pi, Duration.ofSeconds(timeoutSec));
      return report(out, pack.taskId(), r);
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
      case "incident" -> out.printf("incident in %s: %s%n", taskId, r.incident());
      default -> out.printf("%s %s: the cycle did not end in time%n", r.outcome(), taskId);
    }
    out.println(
        "process instance "
            + r.processInstanceId()
            + " (Cockpit: /camunda/app/cockpit/default/#/history/process-instance/"
            + r.processInstanceId()
            + ")");
    return "completed".equals(r.outcome()) ? ExitCodes.OK : ExitCodes.FAILED;
  }
}
