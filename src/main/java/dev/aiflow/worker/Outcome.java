package dev.aiflow.worker;

/** How an agent run ended, as the supervisor and the adapter classify it. */
public enum Outcome {
  /** Exited 0 and printed exactly one valid StepResult. */
  OK,
  /** Exited with another code. */
  EXIT_NONZERO,
  /** Ran longer than {@code max_runtime_sec}. */
  TIMEOUT,
  /** Printed nothing on stdout or stderr for {@code max_silence_sec}. */
  SILENCE,
  /** The resident memory of its process tree exceeded {@code max_memory_mb}. */
  MEMORY,
  /** Could not be started (the shim is missing or not executable). */
  SPAWN_FAILED,
  /** No framed StepResult, several, or one that is not JSON. */
  PARSE_ERROR,
  /** A framed StepResult that does not validate against its schema. */
  SCHEMA_ERROR,
  /** Stopped because the dispatch was withdrawn (its process was cancelled, its lock lost). */
  CANCELLED
}
