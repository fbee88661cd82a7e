package dev.aiflow.scoreboard;

import dev.aiflow.budget.Spend;
import dev.aiflow.triage.QueueCounts;
import java.time.Instant;
import java.util.Map;

/**
 * One finished cycle, as the scoreboard and {@code trends.jsonl} record it.
 *
 * @param campaignId the campaign's process instance, or null outside a campaign
 * @param qaVerdict the last QA verdict, or null when the cycle never reached QA (intake rejected)
 * @param queue the queue's counts after the cycle was finalized
 * @param elapsedMs from selection to finalization
 * @param spend what the cycle's attempts used, by {@code backend/model} ({@code
 *     dev.aiflow.budget.BudgetLedger#byBackendModel}); empty when not known
 * @param claims the cycle's QA reviews by {@code backend/model}: runs reviewed, runs with claims
 *     the workspace contradicts ({@link ClaimsLedger#byBackendModel}); empty when not known
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
    long elapsedMs,
    Map<String, Spend> spend,
    Map<String, ClaimTally> claims) {

  public CycleReport {
    spend = spend == null ? Map.of() : Map.copyOf(spend);
    claims = claims == null ? Map.of() : Map.copyOf(claims);
  }

  /** A cycle whose claims were not tallied. */
  public CycleReport(
      Instant at,
      String campaignId,
      String runId,
      String taskKey,
      Outcome outcome,
      int reworkRounds,
      String qaVerdict,
      String qaReasonCode,
      QueueCounts queue,
      long elapsedMs,
      Map<String, Spend> spend) {
    this(
        at,
        campaignId,
        runId,
        taskKey,
        outcome,
        reworkRounds,
        qaVerdict,
        qaReasonCode,
        queue,
        elapsedMs,
        spend,
        Map.of());
  }

  /**
   * This report with the cycle's claims tallied, for example {@code
   * report.withClaims(ClaimsLedger.byBackendModel(log.taskEvents(taskKey), n ->
   * runId.equals(n.path("run_id").asText())))}.
   */
  public CycleReport withClaims(Map<String, ClaimTally> tally) {
    return new CycleReport(
        at,
        campaignId,
        runId,
        taskKey,
        outcome,
        reworkRounds,
        qaVerdict,
        qaReasonCode,
        queue,
        elapsedMs,
        spend,
        tally);
  }

  /** A cycle whose spend is not known. */
  public CycleReport(
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
    this(
        at,
        campaignId,
        runId,
        taskKey,
        outcome,
        reworkRounds,
        qaVerdict,
        qaReasonCode,
        queue,
        elapsedMs,
        Map.of(),
        Map.of());
  }

  /** When the cycle's task was picked: {@code elapsedMs} before its end. */
  public Instant startedAt() {
    return at.minusMillis(elapsedMs);
  }

  /** All the cycle's attempts together. */
  public Spend totalSpend() {
    return spend.values().stream().reduce(Spend.NONE, Spend::plus);
  }

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
