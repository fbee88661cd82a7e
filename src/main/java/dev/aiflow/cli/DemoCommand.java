package dev.aiflow.cli;

import dev.aiflow.campaign.CampaignSpec;
import dev.aiflow.campaign.CampaignView;
import dev.aiflow.demo.DemoAssets;
import dev.aiflow.engine.LoggerRegistry;
import dev.aiflow.engine.audit.HistoryReconciler;
import dev.aiflow.engine.audit.ReconcileReport;
import dev.aiflow.engine.campaign.CampaignService;
import dev.aiflow.engine.campaign.CampaignWaits;
import dev.aiflow.engine.cockpit.CockpitLinks;
import dev.aiflow.logger.VerificationReport;
import dev.aiflow.logger.WorkflowLogger;
import dev.aiflow.scoreboard.ScoreboardStore;
import dev.aiflow.scoreboard.TrendPoint;
import dev.aiflow.triage.QueueStore;
import dev.aiflow.triage.QueueTask;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
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
      "Run the demo campaign (examples/orchestrator: seven tasks, two at a time) through the",
      "engine on the embedded H2 database under the data directory. Its agents are the fake",
      "claude, codex and gemini of examples/agents, driven by the built-in shim as real CLIs",
      "are, each with a login of its own: one passes, one passes after rework, one changes a",
      "file outside its allowed paths, one stalls and is stopped by the silence limit, one",
      "claims its tests pass and is caught by the kernel's re-run, one is auto-planned, and one",
      "runs out of rework and waits for a person in Tasklist. Prints the scoreboard, verifies",
      "the hash chain, reconciles it with Camunda's history, and says where to look in Cockpit",
      "and Tasklist. Everything is written under <data-dir>/demo and <data-dir>/workflow.",
      "Exit 0 when the campaign ran as far as it can without a person and the audit is clean;",
      "2 (one line on stderr, nothing written) when the data directory is in use by a server."
    })
public class DemoCommand implements Callable<Integer> {

  /** The address the printed links assume: the server's default. */
  static final String SERVER = "http://127.0.0.1:8080";

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
    Map<String, String> settings = new HashMap<>();
    settings.put("aiflow.worker.shims." + DemoAssets.SHIM_NAME, DemoAssets.shim(data));
    // the engine first: a server holding the data directory stops the demo before it writes
    try (EngineContext engine = EngineContext.start(data, settings)) {
      String project = DemoAssets.freeProject(data, id -> WorkflowLogger.exists(workflow, id));
      DemoAssets demo = DemoAssets.extract(data, project);
      out.printf("demo project %s in %s%n", project, demo.dir());
      CampaignSpec campaign = demo.campaign(project);
      Run run = run(engine, campaign, project, Duration.ofSeconds(timeoutSec), out);
      CampaignView v = run.view();
      if (run.waiting().isEmpty()) {
        CampaignRunner.summary(v, campaign.effectiveProgressDir(), out);
      } else {
        out.println("the campaign waits for a person; everything else in its queue has run");
        scoreboard(v, campaign.effectiveProgressDir(), out);
      }
      out.println();
      out.println("tasks:");
      for (QueueTask t : new QueueStore(demo.queue()).read().tasks()) {
        out.printf(
            "  %-7s %-11s %s%n", t.key(), t.status(), t.lastReason() == null ? "" : t.lastReason());
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
      out.println("See it in Cockpit and Tasklist: start the server (./mvnw -B spring-boot:run or");
      out.println("bin/aiflow serve, same data directory), log in, and open");
      out.println("  " + CockpitLinks.absolute(SERVER, CockpitLinks.campaign(v.id())));
      for (Waiting w : run.waiting()) {
        out.println();
        out.printf(
            "%s waits for your decision: \"%s\" (more rounds, accept with an override, or"
                + " fail)%n",
            w.taskKey(), w.name());
        out.println("  Tasklist: " + CockpitLinks.absolute(SERVER, tasklist(w.userTaskId())));
        out.println(
            "  Cockpit, the running campaign: "
                + CockpitLinks.absolute(
                    SERVER, CockpitLinks.COCKPIT + "#/process-instance/" + v.id()));
        out.println("  The campaign goes on once it is decided; until then it stays running.");
      }
      out.flush();
      boolean ran = v.ended() || !run.waiting().isEmpty();
      boolean ok = ran && v.incidents().isEmpty() && verified.ok() && reconcile.clean();
      return ok ? ExitCodes.OK : ExitCodes.FAILED;
    }
  }

  static String tasklist(String userTaskId) {
    return CockpitLinks.TASKLIST + "#/?task=" + userTaskId;
  }

  /** A step cycle of the campaign that waits for a person. */
  record Waiting(String taskKey, String userTaskId, String name) {}

  record Run(CampaignView view, List<Waiting> waiting) {}

  /**
   * Starts the campaign and follows it (one line per finished cycle) until it ends, an incident
   * stops it, the timeout passes, or nothing runs any more but people's decisions: the demo never
   * waits for a person.
   */
  static Run run(
      EngineContext engine, CampaignSpec spec, String label, Duration timeout, PrintWriter out)
      throws InterruptedException {
    CampaignService campaigns = engine.bean(CampaignService.class);
    ScoreboardStore board = new ScoreboardStore(spec.effectiveProgressDir());
    int seen = board.trends().size();
    String id = campaigns.start(spec, label);
    out.printf(
        "campaign %s started over %s (project %s)%n", id, spec.queuePath(), spec.projectId());
    out.flush();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      List<TrendPoint> trends = board.trends();
      for (TrendPoint t : trends.subList(Math.min(seen, trends.size()), trends.size())) {
        if (id.equals(t.campaignId())) {
          out.println(CampaignRunner.line(t));
        }
      }
      seen = trends.size();
      out.flush();
      CampaignView v = campaigns.find(id).orElseThrow();
      if (v.ended() || !v.incidents().isEmpty() || System.nanoTime() > deadline) {
        return new Run(v, List.of());
      }
      List<Waiting> waiting =
          engine.bean(CampaignWaits.class).onlyPeopleCanMoveOn(id).stream()
              .map(d -> new Waiting(d.taskKey(), d.userTaskId(), d.name()))
              .toList();
      if (!waiting.isEmpty()) {
        return new Run(campaigns.find(id).orElseThrow(), waiting);
      }
      Thread.sleep(200);
    }
  }

  private static void scoreboard(CampaignView v, Path progressDir, PrintWriter out) {
    if (v.queue() != null) {
      out.printf(
          "queue: %d completed, %d failed, %d waiting or pending of %d%n",
          v.queue().path("completed").asInt(),
          v.queue().path("failed").asInt(),
          v.queue().path("pending").asInt() + v.queue().path("in_progress").asInt(),
          v.queue().path("total").asInt());
    }
    if (v.scoreboard() != null) {
      out.printf(
          "scoreboard: %d cycle(s) finished, %d completed, %d failed, %d rework round(s)%n",
          v.scoreboard().path("cycles").asInt(),
          v.scoreboard().path("completed").asInt(),
          v.scoreboard().path("failed").asInt(),
          v.scoreboard().path("rework_rounds").asInt());
    }
    out.println(CampaignRunner.renderSummary(v, progressDir));
  }
}
