package dev.aiflow.qa;

/** What the QA gate decides (see instructions/qa.md). */
public enum Verdict {
  /** Every check passed and the worker reported PASS. */
  PASS,
  /** Something is missing or failing that a rework can fix. */
  REWORK,
  /**
   * A protocol or scope violation, claims the workspace contradicts, a PASS the evidence does not
   * support, or nothing fixable.
   */
  FAIL,
  /**
   * Every automated check passed and the worker reported PASS, but a criterion needs a person (it
   * is marked manual, or nothing can verify it): an escalation, not a rework.
   */
  ESCALATE
}
