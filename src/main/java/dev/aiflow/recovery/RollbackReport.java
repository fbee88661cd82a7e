package dev.aiflow.recovery;

import java.util.List;

/** What a rollback did, path by path (workspace-relative). */
public record RollbackReport(
    String checkpointId, List<String> restored, List<String> deleted, List<String> unchanged) {

  public RollbackReport {
    restored = List.copyOf(restored);
    deleted = List.copyOf(deleted);
    unchanged = List.copyOf(unchanged);
  }

  public int changed() {
    return restored.size() + deleted.size();
  }
}
