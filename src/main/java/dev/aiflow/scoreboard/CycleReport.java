package dev.aiflow.scoreboard;

import dev.aiflow.triage.QueueCounts;
import java.time.Instant;

/**
 * One finished cycle, as the scoreboard and {@code trends.json} record it.
 *
 * @param campaignId the campaign's process instance, or null outside a campaign
 * @param qaVerdict the last QA verdict, or null when the cycle never reached QA (intake rejected)
 * @param queue the queue's counts after the cycle was finalized
 * @param elapsedMs from selection to finalization
 */
public record CycleReport(
    Instant at,
    String campaignId,
    String runId,
    String taskKey,
    Outcome outcome,
    int reworkRounds,
    String qaVerdict,
    String qaReasonCode,
    QueueCounts queue,
    long elapsedMs) {

  /** What the cycle did to its task. */
  public enum Outcome {
    COMPLETED,
    REQUEUED,
    FAILED;

    public String json() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }
}
