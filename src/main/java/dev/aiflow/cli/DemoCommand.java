package dev.aiflow.cli;

import dev.aiflow.campaign.CampaignSpec;
import dev.aiflow.campaign.CampaignView;
import dev.aiflow.demo.DemoAssets;
import dev.aiflow.engine.LoggerRegistry;
import dev.aiflow.engine.audit.HistoryReconciler;
import dev.aiflow.engine.audit.ReconcileReport;
import dev.aiflow.engine.cockpit.CockpitLinks;
import dev.aiflow.logger.VerificationReport;
import dev.aiflow.logger.WorkflowLogger;
import dev.aiflow.triage.QueueStore;
import dev.aiflow.triage.QueueTask;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code aiflow demo}: the demo campaign of examples/orchestrator, end to end. */
@Command(
    name = "demo",
    mixinStandardHelpOptions = true,
    description = {
      "Run the demo campaign (examples/orchestrator: six tasks, the mock shim as the agent)",
      "through the engine on the embedded H2 database under the data directory: one passes, one",
      "passes after rework, one runs out of rework, one changes a file outside its allowed paths,",
      "one stalls and is stopped by the silence limit, one is auto-planned. Prints the scoreboard,",
      "verifies the hash chain, reconciles it with Camunda's history, and says where to look in",
      "Cockpit. Everything is written under <data-dir>/demo and <data-dir>/workflow.",
      "Exit 0 when the campaign ran to its end and the audit is clean."
    })
public class DemoCommand implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(names = "--data-dir", description = "Default: $AIFLOW_DATA_DIR or ./data.")
  Path dataDir;

  @Option(names = "--timeout-sec", defaultValue = "600", description = "Default: 600.")
  int timeoutSec;

  @Override
  public Integer call() throws Exception {
    PrintWriter out = spec.commandLine().getOut();
    Path data = EngineContext.dataDir(dataDir).toAbsolutePath();
    Path workflow = data.resolve("workflow");
    String project = DemoAssets.freeProject(data, id -> WorkflowLogger.exists(workflow, id));
    DemoAssets demo = DemoAssets.extract(data, project);
    out.printf("demo project %s in %s%n", project, demo.dir());
    CampaignSpec campaign = demo.campaign(project);
    Map<String, String> settings =
        Map.of("aiflow.worker.shims." + DemoAssets.SHIM_NAME, DemoAssets.shim(data).toString());
    try (EngineContext engine = EngineContext.start(data, new java.util.HashMap<>(settings))) {
      CampaignView v =
          CampaignRunner.run(engine, campaign, project, Duration.ofSeconds(timeoutSec), out);
      CampaignRunner.summary(v, campaign.effectiveProgressDir(), out);
      out.println();
      out.println("tasks:");
      for (QueueTask t : new QueueStore(demo.queue()).read().tasks()) {
        out.printf("  %-7s %-10s %s%n", t.key(), t.status(), t.lastReason());
      }
      WorkflowLogger log = engine.bean(LoggerRegistry.class).logger(project);
      VerificationReport verified = log.verifyProject(null);
      out.printf(
          "chain: %s (%d events, head %s)%n",
          verified.ok() ? "verified" : "BROKEN: " + verified.firstProblem(),
          verified.events(),
          verified.head().substring(0, 12));
      ReconcileReport reconcile = engine.bean(HistoryReconciler.class).reconcile(project);
      out.println(
          "history: "
              + (reconcile.clean()
                  ? "the chain and Camunda's history agree"
                  : "MISMATCH: " + reconcile));
      out.println();
      out.println("See it in Cockpit: start the server (./mvnw -B spring-boot:run or bin/aiflow");
      out.println("serve, same data directory), log in, and open");
      out.println(
          "  " + CockpitLinks.absolute("http://127.0.0.1:8080", CockpitLinks.campaign(v.id())));
      out.flush();
      boolean ok = v.ended() && v.incidents().isEmpty() && verified.ok() && reconcile.clean();
      return ok ? ExitCodes.OK : ExitCodes.FAILED;
    }
  }
}
