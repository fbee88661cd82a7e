package dev.aiflow.protocol;

/**
 * Limits of one agent run; the supervisor stops the whole process tree on a breach.
 *
 * <p>The budget members are optional (null: no budget). They are enforced live from the usage the
 * shim reports while the agent runs (docs/protocol.md, "Usage lines"): the moment a running total
 * passes one, the run is stopped with outcome {@code BUDGET}.
 *
 * @param maxTokens tokens the run may use: input, cache reads and writes, and output together
 * @param maxCostUsd US dollars the run may cost (the CLI's own figure, else the price table's)
 * @param maxTurns agent turns the run may take
 */
public record Limits(
    int maxRuntimeSec,
    int maxSilenceSec,
    int maxMemoryMb,
    Long maxTokens,
    Double maxCostUsd,
    Integer maxTurns) {

  /** Runtime, silence and memory only: no budget. */
  public Limits(int maxRuntimeSec, int maxSilenceSec, int maxMemoryMb) {
    this(maxRuntimeSec, maxSilenceSec, maxMemoryMb, null, null, null);
  }

  /** The same limits with this budget (a null member: no budget for it). */
  public Limits withBudget(Long tokens, Double costUsd, Integer turns) {
    return new Limits(maxRuntimeSec, maxSilenceSec, maxMemoryMb, tokens, costUsd, turns);
  }

  /** Whether any of {@code max_tokens}, {@code max_cost_usd}, {@code max_turns} is set. */
  public boolean hasBudget() {
    return maxTokens != null || maxCostUsd != null || maxTurns != null;
  }
}
