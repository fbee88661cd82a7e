package dev.aiflow.qa;

/** The QA gate's checks, in the order they are reported (and named in rework packs). */
public enum Check {
  /** The result is about the step that was dispatched. */
  IDENTITY,
  /** The agent ran and produced a readable result (no timeout, silence, parse error...). */
  DISPATCH,
  /**
   * Every acceptance criterion is covered by existing evidence, and its verification passed when
   * the kernel ran it; manual and command-less criteria need a person.
   */
  ACCEPTANCE_COVERAGE,
  /**
   * Every required command exited 0 when the kernel ran it, and the agent ran it and kept its
   * output.
   */
  REQUIRED_COMMANDS,
  /**
   * Every file the kernel saw change lies inside the allowed paths and was listed; no change to the
   * git folder, no link out of the workspace.
   */
  SCOPE,
  /** Every evidence path lies under .artifacts/ and exists; its SHA-256 is recorded. */
  EVIDENCE,
  /**
   * The agent's claims (exit codes, changed files, cited evidence) agree with what the kernel saw.
   */
  CLAIMS
}
