package dev.aiflow.logger;

/**
 * What the chain says about a task right now.
 *
 * @param events number of events in the task chain
 * @param lastR R of the last attempt, -1 before the first
 * @param lastS S of the last attempt, -1 before the first
 * @param lastRevisionKey revision key of the last attempt, if it had one
 * @param closed whether the task has its final record
 * @param finalStatus the final status, once closed
 * @param head hash of the last event of the task chain
 * @param attempts number of attempts logged
 */
public record TaskSnapshot(
    String taskId,
    long events,
    int lastR,
    int lastS,
    String lastRevisionKey,
    boolean closed,
    String finalStatus,
    String head,
    int attempts) {

  public boolean hasAttempts() {
    return lastR >= 0;
  }
}
