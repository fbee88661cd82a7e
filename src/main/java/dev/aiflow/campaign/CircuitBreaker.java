package dev.aiflow.campaign;

import dev.aiflow.scoreboard.CycleReport;
import java.util.Set;

/**
 * The campaign's circuit breaker (issue 16): tasks failing one after another with the same backend
 * outcome (credentials missing, rate limited) say the backend is down, not the tasks; after {@code
 * threshold} of them in a row a person decides whether the campaign resumes or stops, instead of
 * the queue being burnt.
 *
 * @param outcome the backend outcome of the current streak, or null
 * @param streak how many cycles in a row failed with it
 */
public record CircuitBreaker(String outcome, int streak) {

  /** The dispatch outcomes that say the backend, not the task, failed. */
  public static final Set<String> BACKEND_OUTCOMES = Set.of("AUTH_MISSING", "RATE_LIMITED");

  public static final int DEFAULT_THRESHOLD = 3;

  public static final CircuitBreaker CLOSED = new CircuitBreaker(null, 0);

  /**
   * The breaker after a cycle that moved its task to {@code cycle} with {@code dispatchOutcome}.
   */
  public CircuitBreaker after(CycleReport.Outcome cycle, String dispatchOutcome) {
    if (cycle == CycleReport.Outcome.COMPLETED
        || dispatchOutcome == null
        || !BACKEND_OUTCOMES.contains(dispatchOutcome)) {
      return CLOSED;
    }
    return new CircuitBreaker(dispatchOutcome, dispatchOutcome.equals(outcome) ? streak + 1 : 1);
  }

  /** Whether a person must decide; a threshold of 0 turns the breaker off. */
  public boolean tripped(int threshold) {
    return threshold > 0 && streak >= threshold;
  }
}
