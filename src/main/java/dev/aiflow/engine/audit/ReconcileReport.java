package dev.aiflow.engine.audit;

import java.util.List;

/**
 * Engine history and the hash chain, compared.
 *
 * @param processInstances step cycles of the project found in history
 * @param attemptsInChain attempts in the chain that came from the engine
 * @param dispatchesInHistory dispatch external tasks that completed, per history
 * @param attemptsWithoutHistory chain attempts whose hash no history record holds
 * @param dispatchesWithoutAttempt completed dispatches with no attempt in the chain
 * @param anchorsInHistory values {@code chainAnchor} took, over every instance of the project
 * @param anchorsBroken anchors whose event the chain no longer holds with the anchored hash (an
 *     event rewritten or deleted, even with every later hash recomputed)
 * @param eventsUnanchored events a finished instance appended after its last anchor
 */
public record ReconcileReport(
    String projectId,
    int processInstances,
    int attemptsInChain,
    int dispatchesInHistory,
    List<Orphan> attemptsWithoutHistory,
    List<Orphan> dispatchesWithoutAttempt,
    int anchorsInHistory,
    List<Orphan> anchorsBroken,
    List<Orphan> eventsUnanchored) {

  /**
   * One unpartnered record.
   *
   * @param taskId the task, when known
   * @param processInstanceId the process instance
   * @param externalTaskId the dispatch's external task
   * @param eventHash the chain event (for attempts and unanchored events), or the anchored hash
   * @param detail a readable sentence
   */
  public record Orphan(
      String taskId,
      String processInstanceId,
      String externalTaskId,
      String eventHash,
      String detail) {}

  public boolean clean() {
    return attemptsWithoutHistory.isEmpty()
        && dispatchesWithoutAttempt.isEmpty()
        && anchorsBroken.isEmpty()
        && eventsUnanchored.isEmpty();
  }
}
