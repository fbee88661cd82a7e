package dev.aiflow.scoreboard;

import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * The counters of a progress directory ({@code scoreboard.json}, docs/triage.md "Scoreboard").
 *
 * @param cycles step cycles run to their end
 * @param selected tasks picked by the policy, counted when their cycle ends or they are set aside
 *     (a pick has no write of its own)
 * @param requeued cycles that ended without completing a task that had attempts left
 * @param skipped picks set aside without a cycle (no StepPack and no auto-plan)
 * @param reworkRounds rework rounds across all cycles
 * @param qaVerdicts the last QA verdict of each cycle, by verdict
 * @param qaReasons the same, by reason code
 * @param spend what the cycles' attempts used, in all, per task and per backend and model
 * @param claims per {@code backend/model}: agent runs reviewed, and runs whose claims the workspace
 *     contradicted (the honesty rate)
 */
public record Scoreboard(
    int cycles,
    int selected,
    int completed,
    int failed,
    int requeued,
    int skipped,
    int reworkRounds,
    Map<String, Integer> qaVerdicts,
    Map<String, Integer> qaReasons,
    LastSelected lastSelected,
    Instant updatedAt,
    SpendBoard spend,
    Map<String, ClaimTally> claims) {

  public Scoreboard {
    qaVerdicts = Map.copyOf(qaVerdicts == null ? Map.of() : qaVerdicts);
    qaReasons = Map.copyOf(qaReasons == null ? Map.of() : qaReasons);
    spend = spend == null ? SpendBoard.empty() : spend;
    claims = Map.copyOf(claims == null ? Map.of() : claims);
  }

  public static Scoreboard empty() {
    return new Scoreboard(0, 0, 0, 0, 0, 0, 0, Map.of(), Map.of(), null, null, null, Map.of());
  }

  /** All backends together: every reviewed run, and those with contradicted claims. */
  public ClaimTally claimsTotal() {
    return claims.values().stream().reduce(ClaimTally.NONE, ClaimTally::plus);
  }

  /** The last task the policy picked. */
  public record LastSelected(String taskKey, String runId, Instant at) {}

  /** A pick counted at once (prepare-next, which runs no cycle itself). */
  Scoreboard selected(String taskKey, String runId, Instant at) {
    return new Scoreboard(
        cycles,
        selected + 1,
        completed,
        failed,
        requeued,
        skipped,
        reworkRounds,
        qaVerdicts,
        qaReasons,
        latest(lastSelected, new LastSelected(taskKey, runId, at)),
        at,
        spend,
        claims);
  }

  /** A pick set aside without a cycle: it counts as selected and skipped. */
  Scoreboard skipped(String taskKey, String runId, Instant at) {
    return new Scoreboard(
        cycles,
        selected + 1,
        completed,
        failed,
        requeued,
        skipped + 1,
        reworkRounds,
        qaVerdicts,
        qaReasons,
        latest(lastSelected, new LastSelected(taskKey, runId, at)),
        at,
        spend,
        claims);
  }

  /**
   * A cycle ended: it counts its pick too, made when the cycle started, unless the last pick
   * counted was this run's ({@code prepare-next} counts its own at once, and {@code run-cycle} then
   * runs that run; a campaign's picks are counted only here or with their skip).
   */
  Scoreboard cycle(CycleReport r) {
    boolean counted = lastSelected != null && lastSelected.runId().equals(r.runId());
    return new Scoreboard(
        cycles + 1,
        counted ? selected : selected + 1,
        completed + (r.outcome() == CycleReport.Outcome.COMPLETED ? 1 : 0),
        failed + (r.outcome() == CycleReport.Outcome.FAILED ? 1 : 0),
        requeued + (r.outcome() == CycleReport.Outcome.REQUEUED ? 1 : 0),
        skipped,
        reworkRounds + r.reworkRounds(),
        plus(qaVerdicts, r.qaVerdict()),
        plus(qaReasons, r.qaReasonCode()),
        latest(lastSelected, new LastSelected(r.taskKey(), r.runId(), r.startedAt())),
        r.at(),
        spend.plus(r.taskKey(), r.spend()),
        plusClaims(claims, r.claims()));
  }

  /** Lanes end their cycles in any order: the last selected is the pick made last. */
  private static LastSelected latest(LastSelected known, LastSelected pick) {
    return known == null || !pick.at().isBefore(known.at()) ? pick : known;
  }

  private static Map<String, ClaimTally> plusClaims(
      Map<String, ClaimTally> counts, Map<String, ClaimTally> cycle) {
    if (cycle.isEmpty()) {
      return counts;
    }
    Map<String, ClaimTally> next = new TreeMap<>(counts);
    cycle.forEach((k, v) -> next.merge(k, v, ClaimTally::plus));
    return next;
  }

  private static Map<String, Integer> plus(Map<String, Integer> counts, String key) {
    if (key == null || key.isBlank()) {
      return counts;
    }
    Map<String, Integer> next = new TreeMap<>(counts);
    next.merge(key, 1, Integer::sum);
    return next;
  }
}
