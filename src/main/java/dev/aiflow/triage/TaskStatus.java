package dev.aiflow.triage;

import java.util.Arrays;
import java.util.Optional;

/** Where a queued task stands (docs/triage.md, "Transitions"). */
public enum TaskStatus {
  PENDING("pending"),
  IN_PROGRESS("in_progress"),
  COMPLETED("completed"),
  FAILED("failed");

  private final String json;

  TaskStatus(String json) {
    this.json = json;
  }

  /** The spelling in {@code task_queue.json}. */
  public String json() {
    return json;
  }

  public boolean terminal() {
    return this == COMPLETED || this == FAILED;
  }

  public static Optional<TaskStatus> fromJson(String value) {
    return Arrays.stream(values()).filter(s -> s.json.equals(value)).findFirst();
  }

  @Override
  public String toString() {
    return json;
  }
}
