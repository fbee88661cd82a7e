package dev.aiflow.sessionlog;

import java.time.Instant;
import java.util.Map;

/**
 * One controller decision in the session log (docs/session-log.md).
 *
 * @param seq 1, 2, 3... within the file
 * @param kind what happened ({@link SessionLog} lists the kinds)
 * @param details small string facts (verdict, reason code, checkpoint id...)
 */
public record SessionEvent(
    long seq,
    Instant at,
    String kind,
    String projectId,
    String campaignId,
    String processInstanceId,
    String taskKey,
    String runId,
    Map<String, String> details) {

  public SessionEvent {
    details = details == null ? Map.of() : Map.copyOf(details);
  }
}
