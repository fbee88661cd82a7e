package dev.aiflow.scoreboard;

import dev.aiflow.triage.QueueCounts;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** {@code summary.md}: where the queue stands, the counters, the chart, the latest cycles. */
final class SummaryRenderer {

  static final int LAST_CYCLES = 15;

  private SummaryRenderer() {}

  static String markdown(
      Scoreboard s, List<TrendPoint> trends, QueueCounts queue, String chartFileName) {
    StringBuilder md = new StringBuilder();
    md.append("# Progress\n\n");
    md.append(headline(s, queue)).append("\n\n");
    if (queue != null) {
      md.append("| Queue now | pending | in progress | completed | failed | total |\n");
      md.append("|---|---:|---:|---:|---:|---:|\n");
      md.append("| tasks | ")
          .append(queue.pending())
          .append(" | ")
          .append(queue.inProgress())
          .append(" | ")
          .append(queue.completed())
          .append(" | ")
          .append(queue.failed())
          .append(" | ")
          .append(queue.total())
          .append(" |\n\n");
      md.append(bar(queue)).append("\n\n");
    }
    if (!trends.isEmpty()) {
      md.append("![Queue after each cycle](").append(chartFileName).append(")\n\n");
    }
    md.append("## Counters\n\n");
    md.append("| cycles | selected | completed | failed | requeued | skipped | rework rounds |\n");
    md.append("|---:|---:|---:|---:|---:|---:|---:|\n");
    md.append("| ")
        .append(s.cycles())
        .append(" | ")
        .append(s.selected())
        .append(" | ")
        .append(s.completed())
        .append(" | ")
        .append(s.failed())
        .append(" | ")
        .append(s.requeued())
        .append(" | ")
        .append(s.skipped())
        .append(" | ")
        .append(s.reworkRounds())
        .append(" |\n\n");
    spend(md, s);
    claims(md, s);
    if (!s.qaVerdicts().isEmpty()) {
      md.append("## QA verdicts\n\n| verdict | cycles |\n|---|---:|\n");
      table(md, s.qaVerdicts());
      md.append("\n| reason code | cycles |\n|---|---:|\n");
      table(md, s.qaReasons());
      md.append('\n');
    }
    if (!trends.isEmpty()) {
      md.append("## Latest cycles\n\n");
      md.append(
          "| # | finished | task | outcome | QA | rework | tokens | cost (USD) | queue after"
              + " (p/ip/c/f) |\n");
      md.append("|---:|---|---|---|---|---:|---:|---:|---|\n");
      int from = Math.max(0, trends.size() - LAST_CYCLES);
      for (int i = trends.size() - 1; i >= from; i--) {
        TrendPoint t = trends.get(i);
        QueueCounts q = t.queue();
        md.append("| ")
            .append(t.cycle())
            .append(" | ")
            .append(t.at())
            .append(" | ")
            .append(t.taskKey())
            .append(" | ")
            .append(icon(t.outcome()))
            .append(' ')
            .append(t.outcome())
            .append(" | ")
            .append(t.qaVerdict() == null ? "-" : t.qaVerdict() + " (" + t.qaReasonCode() + ")")
            .append(" | ")
            .append(t.reworkRounds())
            .append(" | ")
            .append(t.tokens())
            .append(" | ")
            .append(usd(t.costMicros()))
            .append(" | ")
            .append(q.pending())
            .append('/')
            .append(q.inProgress())
            .append('/')
            .append(q.completed())
            .append('/')
            .append(q.failed())
            .append(" |\n");
      }
      md.append('\n');
    }
    md.append("_Written by aiflow from scoreboard.json and trends.jsonl; do not edit._\n");
    return md.toString();
  }

  /** What the agents used: in all, per accepted task, per backend and model, per task. */
  private static void spend(StringBuilder md, Scoreboard s) {
    SpendBoard b = s.spend();
    if (b.total().attempts() == 0) {
      return;
    }
    dev.aiflow.budget.Spend t = b.total();
    md.append("## Spend\n\n");
    md.append("**")
        .append(t.tokens())
        .append(" tokens, $")
        .append(t.cost())
        .append(t.costComplete() ? "" : " or more")
        .append("** over ")
        .append(t.attempts())
        .append(" agent run(s)");
    Long perTask = b.costPerAcceptedTaskMicros(s.completed());
    if (perTask != null) {
      md.append("; $").append(usd(perTask)).append(" per accepted task");
    }
    md.append('.');
    if (t.costEstimated() > 0) {
      md.append(' ').append(t.costEstimated()).append(" cost(s) estimated from the price table.");
    }
    if (!t.costComplete()) {
      md.append(' ').append(t.costUnknown()).append(" run(s) of unknown cost.");
    }
    md.append("\n\n| backend/model | runs | tokens | cost (USD) | turns |\n");
    md.append("|---|---:|---:|---:|---:|\n");
    new TreeMap<>(b.byBackendModel()).forEach((k, v) -> spendRow(md, k, v));
    md.append("\n| task | runs | tokens | cost (USD) | turns |\n|---|---:|---:|---:|---:|\n");
    new TreeMap<>(b.byTask()).forEach((k, v) -> spendRow(md, k, v));
    md.append('\n');
  }

  /** The honesty rate: reviewed runs none of whose claims the workspace contradicted. */
  private static void claims(StringBuilder md, Scoreboard s) {
    if (s.claims().isEmpty()) {
      return;
    }
    ClaimTally t = s.claimsTotal();
    md.append("## Claims contradicted by the workspace\n\n");
    md.append("**")
        .append(t.contradicted())
        .append(" of ")
        .append(t.reviewed())
        .append("** reviewed agent run(s) claimed what the workspace did not show (")
        .append(t.claims())
        .append(" claim(s) in all); the kernel's observation and re-runs decided.\n\n");
    md.append(
        "| backend/model | runs reviewed | runs contradicted | claims contradicted | honest |\n");
    md.append("|---|---:|---:|---:|---:|\n");
    new TreeMap<>(s.claims())
        .forEach(
            (k, v) ->
                md.append("| ")
                    .append(k)
                    .append(" | ")
                    .append(v.reviewed())
                    .append(" | ")
                    .append(v.contradicted())
                    .append(" | ")
                    .append(v.claims())
                    .append(" | ")
                    .append(v.honestyPercent() == null ? "-" : v.honestyPercent() + "%")
                    .append(" |\n"));
    md.append('\n');
  }

  private static void spendRow(StringBuilder md, String key, dev.aiflow.budget.Spend v) {
    md.append("| ")
        .append(key)
        .append(" | ")
        .append(v.attempts())
        .append(" | ")
        .append(v.tokens())
        .append(" | ")
        .append(v.cost())
        .append(v.costComplete() ? "" : "+")
        .append(" | ")
        .append(v.turns())
        .append(" |\n");
  }

  static String usd(long micros) {
    return java.math.BigDecimal.valueOf(micros).movePointLeft(6).toPlainString();
  }

  private static String headline(Scoreboard s, QueueCounts queue) {
    StringBuilder h = new StringBuilder();
    if (queue != null && queue.total() > 0) {
      int done = queue.completed();
      h.append("**")
          .append(done)
          .append(" of ")
          .append(queue.total())
          .append(" tasks completed** (")
          .append(Math.round(100.0 * done / queue.total()))
          .append(" %)");
    } else {
      h.append("**No cycle has run yet.**");
    }
    h.append(" after ").append(s.cycles()).append(" cycle(s)");
    if (s.lastSelected() != null) {
      h.append("; last selected ")
          .append(s.lastSelected().taskKey())
          .append(" (run ")
          .append(s.lastSelected().runId())
          .append(")");
    }
    if (s.updatedAt() != null) {
      h.append("; updated ").append(s.updatedAt());
    }
    return h.append('.').toString();
  }

  /** A one-line text bar, readable where the SVG is not shown. */
  static String bar(QueueCounts q) {
    int width = 40;
    if (q.total() == 0) {
      return "`" + ".".repeat(width) + "`";
    }
    int c = Math.round((float) width * q.completed() / q.total());
    int f = Math.round((float) width * q.failed() / q.total());
    int p = Math.max(0, width - c - f);
    return "`" + "#".repeat(c) + "x".repeat(f) + ".".repeat(p) + "` # completed, x failed, . open";
  }

  private static String icon(String outcome) {
    return switch (outcome) {
      case "completed" -> "✅";
      case "failed" -> "❌";
      default -> "↩️";
    };
  }

  private static void table(StringBuilder md, Map<String, Integer> counts) {
    new TreeMap<>(counts)
        .forEach((k, v) -> md.append("| ").append(k).append(" | ").append(v).append(" |\n"));
  }
}
