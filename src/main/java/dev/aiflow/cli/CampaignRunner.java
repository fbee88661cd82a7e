package dev.aiflow.cli;

import dev.aiflow.campaign.CampaignSpec;
import dev.aiflow.campaign.CampaignView;
import dev.aiflow.engine.campaign.CampaignService;
import dev.aiflow.engine.cockpit.CockpitLinks;
import dev.aiflow.scoreboard.ScoreboardStore;
import dev.aiflow.scoreboard.TrendPoint;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Runs a campaign on an embedded engine and reports it: one line per finished cycle (read from
 * {@code trends.jsonl} as the campaign appends it), then the summary.
 */
final class CampaignRunner {

  private CampaignRunner() {}

  static CampaignView run(
      EngineContext engine, CampaignSpec spec, String label, Duration timeout, PrintWriter out)
      throws InterruptedException {
    return run(engine, spec, java.util.Map.of(), label, timeout, out);
  }

  /**
   * @param extra further campaign variables (explicit snapshot paths of {@code run-cycle})
   */
  static CampaignView run(
      EngineContext engine,
      CampaignSpec spec,
      java.util.Map<String, Object> extra,
      String label,
      Duration timeout,
      PrintWriter out)
      throws InterruptedException {
    CampaignService campaigns = engine.bean(CampaignService.class);
    ScoreboardStore board = new ScoreboardStore(spec.effectiveProgressDir());
    int seen = board.trends().size();
    String id;
    try {
      id = campaigns.start(spec, label, extra);
    } catch (dev.aiflow.campaign.QueueInUseException e) {
      // another campaign runs over this queue: wait for it or cancel it, then start again
      throw new CliException(ExitCodes.USAGE, e.getMessage());
    }
    out.printf(
        "campaign %s started over %s (project %s)%n", id, spec.queuePath(), spec.projectId());
    out.flush();
    long deadline = System.nanoTime() + timeout.toNanos();
    CampaignView v;
    while (true) {
      List<TrendPoint> trends = board.trends();
      for (TrendPoint t : trends.subList(Math.min(seen, trends.size()), trends.size())) {
        if (id.equals(t.campaignId())) {
          out.println(line(t));
        }
      }
      seen = trends.size();
      out.flush();
      v = campaigns.find(id).orElseThrow();
      if (v.ended() || !v.incidents().isEmpty() || System.nanoTime() > deadline) {
        break;
      }
      Thread.sleep(200);
    }
    return v;
  }

  static String line(TrendPoint t) {
    return String.format(
        Locale.ROOT,
        "cycle %d: %s %s%s, %d rework round(s), %.1f s; queue %d pending, %d completed, %d"
            + " failed",
        t.cycle(),
        t.taskKey(),
        t.outcome(),
        t.qaVerdict() == null ? "" : " (QA " + t.qaVerdict() + " " + t.qaReasonCode() + ")",
        t.reworkRounds(),
        t.elapsedMs() / 1000.0,
        t.queue().pending() + t.queue().inProgress(),
        t.queue().completed(),
        t.queue().failed());
  }

  /**
   * Renders {@code summary.md} and its chart for the campaign as it stands (a campaign renders them
   * itself only when it ends) and says where they are, or why they could not be rendered.
   */
  static String renderSummary(CampaignView v, Path progressDir) {
    ScoreboardStore board = new ScoreboardStore(progressDir);
    if (!board.exists()) {
      // the campaign never took its queue (refused input, a queue in use, a blocked start): its
      // progress folder is not touched
      return "summary: none (nothing was recorded in " + progressDir + ")";
    }
    try {
      board.render(v.queueCountsNow());
      return "summary: " + progressDir.resolve("summary.md");
    } catch (RuntimeException e) {
      return "summary: not rendered: " + e.getMessage();
    }
  }

  /** The final report; the exit code: 0 only when every task completed. */
  static int summary(CampaignView v, Path progressDir, PrintWriter out) {
    if (!v.incidents().isEmpty()) {
      out.println("the campaign is stopped by an incident (resolve it in Cockpit):");
      v.incidents().forEach(i -> out.println("  " + i));
    } else if (!v.ended()) {
      out.println("the campaign did not end in time; it goes on in the engine");
    } else {
      out.printf("ended: %s (%s)%n", v.endReason(), v.endDetail());
    }
    if (v.queue() != null) {
      out.printf(
          "queue: %d completed, %d failed, %d pending of %d%n",
          v.queue().path("completed").asInt(),
          v.queue().path("failed").asInt(),
          v.queue().path("pending").asInt() + v.queue().path("in_progress").asInt(),
          v.queue().path("total").asInt());
    }
    if (v.scoreboard() != null) {
      out.printf(
          "scoreboard: %d cycle(s), %d completed, %d failed, %d requeued, %d skipped, %d rework"
              + " round(s)%n",
          v.scoreboard().path("cycles").asInt(),
          v.scoreboard().path("completed").asInt(),
          v.scoreboard().path("failed").asInt(),
          v.scoreboard().path("requeued").asInt(),
          v.scoreboard().path("skipped").asInt(),
          v.scoreboard().path("rework_rounds").asInt());
    }
    v.warnings().forEach(w -> out.println("warning: " + w));
    out.println(renderSummary(v, progressDir));
    out.println("Cockpit: " + CockpitLinks.campaign(v.id()));
    out.flush();
    return Boolean.TRUE.equals(v.allCompleted()) ? ExitCodes.OK : ExitCodes.FAILED;
  }
}
