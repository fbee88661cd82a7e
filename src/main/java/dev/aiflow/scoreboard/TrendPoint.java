package dev.aiflow.scoreboard;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.aiflow.triage.QueueCounts;
import java.time.Instant;

/**
 * One record in {@code trends.jsonl}: the cycle, its task and outcome, the queue after, and what
 * the cycle spent ({@code tokens}, {@code costMicros}) with the campaign's running cost.
 */
public record TrendPoint(
    int cycle,
    Instant at,
    String campaignId,
    String runId,
    String taskKey,
    String outcome,
    int reworkRounds,
    String qaVerdict,
    String qaReasonCode,
    QueueCounts queue,
    long elapsedMs,
    int completedTotal,
    int failedTotal,
    long tokens,
    long costMicros,
    long costTotalMicros) {

  static TrendPoint of(int cycle, CycleReport r, Scoreboard after) {
    return new TrendPoint(
        cycle,
        r.at(),
        r.campaignId(),
        r.runId(),
        r.taskKey(),
        r.outcome().json(),
        r.reworkRounds(),
        r.qaVerdict(),
        r.qaReasonCode(),
        r.queue(),
        r.elapsedMs(),
        after.completed(),
        after.failed(),
        r.totalSpend().tokens(),
        r.totalSpend().costMicros(),
        after.spend().total().costMicros());
  }

  ObjectNode toTree() {
    ObjectNode o = ScoreboardStore.JSON.createObjectNode();
    o.put("cycle", cycle);
    o.put("at", at.toString());
    if (campaignId != null) {
      o.put("campaign_id", campaignId);
    }
    o.put("run_id", runId);
    o.put("task_key", taskKey);
    o.put("outcome", outcome);
    o.put("rework_rounds", reworkRounds);
    if (qaVerdict != null) {
      o.put("qa_verdict", qaVerdict);
    }
    if (qaReasonCode != null) {
      o.put("qa_reason_code", qaReasonCode);
    }
    ObjectNode q = o.putObject("queue");
    q.put("pending", queue.pending());
    q.put("in_progress", queue.inProgress());
    q.put("completed", queue.completed());
    q.put("failed", queue.failed());
    o.put("elapsed_ms", elapsedMs);
    o.put("completed_total", completedTotal);
    o.put("failed_total", failedTotal);
    o.put("tokens", tokens);
    o.put("cost_usd_micros", costMicros);
    o.put("cost_total_usd_micros", costTotalMicros);
    return o;
  }

  static TrendPoint fromTree(JsonNode o) {
    JsonNode q = o.path("queue");
    return new TrendPoint(
        o.path("cycle").asInt(),
        Instant.parse(o.path("at").asText()),
        o.hasNonNull("campaign_id") ? o.get("campaign_id").asText() : null,
        o.path("run_id").asText(),
        o.path("task_key").asText(),
        o.path("outcome").asText(),
        o.path("rework_rounds").asInt(),
        o.hasNonNull("qa_verdict") ? o.get("qa_verdict").asText() : null,
        o.hasNonNull("qa_reason_code") ? o.get("qa_reason_code").asText() : null,
        QueueCounts.fromTree(q),
        o.path("elapsed_ms").asLong(),
        o.path("completed_total").asInt(),
        o.path("failed_total").asInt(),
        o.path("tokens").asLong(),
        o.path("cost_usd_micros").asLong(),
        o.path("cost_total_usd_micros").asLong());
  }
}
