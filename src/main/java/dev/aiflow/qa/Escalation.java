package dev.aiflow.qa;

import java.util.Locale;

/**
 * What a person may decide when a step needs one (its rework rounds ran out, its agent is blocked,
 * or a criterion is manual): grant more rounds, accept the work as it is (an override on the
 * record, with who and why), or fail it. The rules for a decision to count live here; the step
 * cycle's escalation task asks for it (docs/triage.md, "Escalation").
 */
public final class Escalation {

  /** The most rounds one decision may grant. */
  public static final int MAX_ROUNDS = 10;

  private Escalation() {}

  /** The choices. */
  public enum Choice {
    ACCEPT,
    MORE_ROUNDS,
    FAIL;

    public String json() {
      return name().toLowerCase(Locale.ROOT);
    }

    static Choice of(String value) {
      if (value == null) {
        throw new IllegalArgumentException("decide: accept, more_rounds or fail");
      }
      for (Choice c : values()) {
        if (c.json().equals(value.trim().toLowerCase(Locale.ROOT))) {
          return c;
        }
      }
      throw new IllegalArgumentException("decide: accept, more_rounds or fail");
    }
  }

  /** A decision that counts. */
  public record Decision(Choice choice, int rounds, String reason, String actor) {}

  /**
   * Checks a person's decision.
   *
   * @param rounds how many more rework rounds (with {@code more_rounds}; a number)
   * @param actor who decided; a decision by nobody does not count
   * @throws IllegalArgumentException saying what is missing
   */
  public static Decision decide(String choice, Object rounds, String reason, String actor) {
    Choice c = Choice.of(choice);
    if (actor == null || actor.isBlank()) {
      throw new IllegalArgumentException("claim the task before deciding: a decision names who");
    }
    if (reason == null || reason.isBlank()) {
      throw new IllegalArgumentException("say why: a decision needs a reason on the record");
    }
    int n = 0;
    if (c == Choice.MORE_ROUNDS) {
      if (!(rounds instanceof Number num) || num.longValue() < 1 || num.longValue() > MAX_ROUNDS) {
        throw new IllegalArgumentException("more rounds: 1 to " + MAX_ROUNDS);
      }
      n = num.intValue();
    }
    return new Decision(c, n, reason.strip(), actor);
  }

  /**
   * Why a step goes to a person, in one line for the task's form.
   *
   * @param qaVerdict the QA verdict ({@code ESCALATE}: a criterion needs a person)
   * @param qaReasonCode its reason code ({@code FAIL_WORKER_BLOCKED}: the agent asked for one)
   * @param reworkStop why no further rework ran, or null
   */
  public static String cause(String qaVerdict, String qaReasonCode, String reworkStop) {
    if ("ESCALATE".equals(qaVerdict)) {
      return "a person must judge a criterion the kernel cannot verify (" + qaReasonCode + ")";
    }
    if ("FAIL_WORKER_BLOCKED".equals(qaReasonCode)) {
      return "the agent is blocked and asks for a person (" + qaReasonCode + ")";
    }
    return "rework stopped: " + (reworkStop == null ? "no rounds left" : reworkStop);
  }
}
