package dev.aiflow.metrics;

import java.util.Map;

/**
 * What the engine has running, as the gauges show it: counted in the shared database, so every node
 * of a cluster reports the same numbers (aggregate them with {@code max}, not {@code sum}).
 *
 * @param runningCampaigns {@code campaign} process instances not ended
 * @param externalTasksWaiting per topic: unlocked with retries left (a worker may fetch them)
 * @param externalTasksLocked per topic: locked by a worker now
 * @param externalTasksFailed per topic: no retries left (an incident waits for a person)
 * @param queues per project: the queues of its running campaigns
 */
public record EngineState(
    long runningCampaigns,
    Map<String, Long> externalTasksWaiting,
    Map<String, Long> externalTasksLocked,
    Map<String, Long> externalTasksFailed,
    Map<String, QueueDepth> queues) {

  public static final EngineState EMPTY =
      new EngineState(0, Map.of(), Map.of(), Map.of(), Map.of());

  public EngineState {
    externalTasksWaiting = Map.copyOf(externalTasksWaiting);
    externalTasksLocked = Map.copyOf(externalTasksLocked);
    externalTasksFailed = Map.copyOf(externalTasksFailed);
    queues = Map.copyOf(queues);
  }

  /** Tasks of a project's queue(s) that are not finished. */
  public record QueueDepth(long pending, long inProgress) {
    public QueueDepth plus(QueueDepth other) {
      return new QueueDepth(pending + other.pending, inProgress + other.inProgress);
    }
  }
}
