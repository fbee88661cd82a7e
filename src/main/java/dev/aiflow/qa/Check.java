package dev.aiflow.qa;

/** The QA gate's checks, in the order they are reported (and named in rework packs). */
public enum Check {
  /** The result is about the step that was dispatched. */
  IDENTITY,
  /** The agent ran and produced a readable result (no timeout, silence, parse error...). */
  DISPATCH,
  /** Every acceptance criterion is covered by existing evidence. */
  ACCEPTANCE_COVERAGE,
  /** Every required command was run and exited 0, with its output kept. */
  REQUIRED_COMMANDS,
  /** Every changed file lies inside the allowed paths. */
  SCOPE,
  /** Every evidence path lies under .artifacts/ and exists; its SHA-256 is recorded. */
  EVIDENCE
}
