package dev.aiflow.campaign;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/**
 * A campaign as the REST API and the CLI show it.
 *
 * @param id the campaign's process instance id
 * @param state {@code running}, {@code completed} (reached an end event: see {@code endReason}) or
 *     {@code terminated} (deleted in Cockpit or over the REST API)
 * @param endReason queue_drained, max_cycles, stagnated, cancelled, preflight_failed,
 *     execution_blocked; null while running
 * @param currentTask the task of the running (or last) cycle
 * @param queue the queue's counts at the last finalize, or null before the first
 * @param scoreboard {@code scoreboard.json}, or null before the first selection
 * @param incidents open incidents in the campaign or its step cycles ("activity: message")
 * @param warnings what the preflight warned about without refusing ("CODE: detail"): agents that
 *     run without a sandbox ({@code SANDBOX_DISABLED}, {@code SANDBOX_UNAVAILABLE})
 */
public record CampaignView(
    String id,
    String businessKey,
    String projectId,
    String state,
    String endReason,
    String endDetail,
    int cyclesDone,
    String currentTask,
    Boolean allCompleted,
    Instant startedAt,
    Instant endedAt,
    String queuePath,
    String progressDir,
    JsonNode queue,
    JsonNode scoreboard,
    List<String> incidents,
    List<String> warnings) {

  public CampaignView {
    warnings = warnings == null ? List.of() : List.copyOf(warnings);
  }

  public boolean ended() {
    return !"running".equals(state);
  }

  /**
   * The queue's counts now, read from its file; when that cannot be read, as this view last saw
   * them.
   */
  public dev.aiflow.triage.QueueCounts queueCountsNow() {
    if (queuePath != null) {
      try {
        return new dev.aiflow.triage.QueueStore(java.nio.file.Path.of(queuePath)).read().counts();
      } catch (RuntimeException e) {
        // a queue moved or damaged since: what the campaign saw last
      }
    }
    return queueCounts();
  }

  /** The queue's counts as this view shows them; all zero when it shows no queue. */
  public dev.aiflow.triage.QueueCounts queueCounts() {
    if (queue == null) {
      return new dev.aiflow.triage.QueueCounts(0, 0, 0, 0);
    }
    return dev.aiflow.triage.QueueCounts.fromTree(queue);
  }
}
