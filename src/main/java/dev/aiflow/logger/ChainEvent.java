package dev.aiflow.logger;

/**
 * One event as it stands in the chain.
 *
 * @param seq position in the project chain, starting at 1
 * @param taskId the task, or null for a project event
 * @param taskSeq position in the task chain, starting at 1 (0 for project events)
 * @param eventType {@code project_initialized}, {@code attempt}, {@code task_closed}, ...
 * @param eventHash SHA-256 of the canonical event without {@code event_hash}
 * @param json the exact line stored on disk, without its newline
 * @param replayed true when an idempotent append found this event already in the chain
 */
public record ChainEvent(
    long seq,
    String taskId,
    long taskSeq,
    String eventType,
    String eventHash,
    String json,
    boolean replayed) {}
