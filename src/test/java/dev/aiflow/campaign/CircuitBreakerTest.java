package dev.aiflow.campaign;

import static org.assertj.core.api.Assertions.assertThat;

import dev.aiflow.scoreboard.CycleReport.Outcome;
import org.junit.jupiter.api.Test;

/** The breaker counts tasks failing in a row with the same backend outcome. */
class CircuitBreakerTest {

  @Test
  void theSameBackendOutcomeInARowTripsItAtTheThreshold() {
    CircuitBreaker b =
        CircuitBreaker.CLOSED
            .after(Outcome.REQUEUED, "RATE_LIMITED")
            .after(Outcome.FAILED, "RATE_LIMITED");
    assertThat(b).isEqualTo(new CircuitBreaker("RATE_LIMITED", 2));
    assertThat(b.tripped(3)).isFalse();
    b = b.after(Outcome.REQUEUED, "RATE_LIMITED");
    assertThat(b.tripped(3)).isTrue();
    assertThat(b.tripped(0)).as("0 turns it off").isFalse();
  }

  @Test
  void anotherOutcomeStartsANewStreakAndATaskFailingOnItsOwnClosesIt() {
    CircuitBreaker b =
        CircuitBreaker.CLOSED
            .after(Outcome.FAILED, "RATE_LIMITED")
            .after(Outcome.FAILED, "AUTH_MISSING");
    assertThat(b).isEqualTo(new CircuitBreaker("AUTH_MISSING", 1));
    assertThat(b.after(Outcome.FAILED, "OK")).isEqualTo(CircuitBreaker.CLOSED);
    assertThat(b.after(Outcome.FAILED, "TIMEOUT")).isEqualTo(CircuitBreaker.CLOSED);
    assertThat(b.after(Outcome.FAILED, null)).isEqualTo(CircuitBreaker.CLOSED);
    assertThat(b.after(Outcome.COMPLETED, "RATE_LIMITED")).isEqualTo(CircuitBreaker.CLOSED);
  }
}
