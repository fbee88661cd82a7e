package dev.aiflow.triage;

/** A status change the queue's rules forbid (docs/triage.md, "Transitions"). */
public final class IllegalTransitionException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  private final String taskKey;

  IllegalTransitionException(String taskKey, String message) {
    super("task " + taskKey + ": " + message);
    this.taskKey = taskKey;
  }

  public String taskKey() {
    return taskKey;
  }
}
