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
  CANCELLED,
  /**
   * A running total the shim reported passed {@code max_tokens}, {@code max_cost_usd} or {@code
   * max_turns}; the supervisor stopped the tree (or the agent CLI stopped at its own cap).
   */
  BUDGET,
  /** The agent CLI has no usable credentials (not logged in, key missing, invalid or revoked). */
  AUTH_MISSING,
  /** The agent's provider refused for rate or quota (HTTP 429, usage limit, billing). */
  RATE_LIMITED,
  /** The conversation no longer fits the model's context window. */
  CONTEXT_EXHAUSTED,
  /** The agent was refused a tool it needed by its permission policy and produced no result. */
  PERMISSION_REFUSED,
  /** The agent CLI failed in another way it reported (server error, unknown session, bad flag). */
  AGENT_FAILED;

  /** The outcomes a shim may report itself on an {@code AIFLOW-OUTCOME} line. */
  public boolean reportableByShim() {
    return switch (this) {
      case BUDGET,
          AUTH_MISSING,
          RATE_LIMITED,
          CONTEXT_EXHAUSTED,
          PERMISSION_REFUSED,
          AGENT_FAILED ->
          true;
      default -> false;
    };
  }
}
